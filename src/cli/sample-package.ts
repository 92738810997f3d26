/**
 * The configuration package `cfct init` writes: one SCP and one stack set, with comments that
 * point at what to change. It validates as written.
 */
export const SAMPLE_PACKAGE: Readonly<Record<string, string>> = {
  'manifest.yaml': `# Customizations for AWS Control Tower configuration package.
# Validate:  cfct validate .
# Plan:      cfct plan . --live   (or --organization org.json, from \`cfct org export\`)
# Package:   cfct package . --upload <configuration bucket>
region: us-east-1 # the home region: where Control Tower is deployed
version: 2021-03-15

resources:
  # A service control policy, attached to OUs by name (top level) or path (Parent:Child).
  - name: deny-leaving-organization
    description: Member accounts cannot leave the organization
    resource_file: policies/deny-leave-organization.json
    deploy_method: scp
    deployment_targets:
      organizational_units:
        - Workloads

  # A stack set, deployed to every account of the listed OUs in the listed regions.
  - name: password-policy-check
    description: An AWS Config rule that checks the IAM password policy
    resource_file: templates/password-policy-check.yaml
    parameter_file: parameters/password-policy-check.json
    deploy_method: stack_set
    deployment_targets:
      organizational_units:
        - Workloads
    regions:
      - us-east-1
`,
  'policies/deny-leave-organization.json': `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyLeaveOrganization",
      "Effect": "Deny",
      "Action": "organizations:LeaveOrganization",
      "Resource": "*"
    }
  ]
}
`,
  'templates/password-policy-check.yaml': `AWSTemplateFormatVersion: "2010-09-09"
Description: Checks that the account's IAM password policy meets the minimum length

Parameters:
  MinimumPasswordLength:
    Type: Number
    Default: 14
    MinValue: 8

Resources:
  PasswordPolicyRule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: iam-password-policy
      Source:
        Owner: AWS
        SourceIdentifier: IAM_PASSWORD_POLICY
      InputParameters:
        MinimumPasswordLength: !Ref MinimumPasswordLength

Outputs:
  RuleArn:
    Value: !GetAtt PasswordPolicyRule.Arn
`,
  'parameters/password-policy-check.json': `[
  { "ParameterKey": "MinimumPasswordLength", "ParameterValue": "14" }
]
`,
};
