#!/usr/bin/env python3
"""A CDK app in the Control Tower management account that adds the Customizations for AWS
Control Tower pipeline. The same app in TypeScript: examples/typescript/app.ts.

    python3 -m venv .venv && . .venv/bin/activate && pip install -r requirements.txt
    npx cdk synth      (cdk.json runs this file)
"""
import os

from aws_cdk import App, Environment, Stack
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from constructs import Construct

from cdk_control_tower_customizations import (
    ConfigurationSource,
    CustomControlTowerPipeline,
    FailureToleranceMode,
    RegionConcurrency,
    StackSetOperationPreferences,
    StackSetOrder,
)


class Customizations(Construct):
    """The team's customizations: the pipeline with the defaults this organization uses."""

    def __init__(self, scope: Construct, id: str, *, team_email: str) -> None:
        super().__init__(scope, id)
        self.pipeline = CustomControlTowerPipeline(
            self,
            "Pipeline",
            # Upload custom-control-tower-configuration.zip (a cfct package) to start a run.
            source=ConfigurationSource.s3(),
            # A person approves each plan; the approval shows the summary and links the report.
            require_approval=True,
            approval_emails=[team_email],
            notification_emails=[team_email],
            # Stack set defaults of this organization (the upstream names are the defaults).
            stack_set_prefix="CustomControlTower-",
            execution_role_name="AWSControlTowerExecution",
            max_concurrent_stack_sets=8,
            # Manifests without stack_set_order run independent stack sets together.
            stack_set_order=StackSetOrder.DEPENDENCIES,
            # Every stack set operation, unless a resource's operation_preferences say otherwise:
            # 10 accounts at a time, stop a Region after 2 failures, the home Region first.
            stack_set_operation_preferences=StackSetOperationPreferences(
                max_concurrent_count=10,
                failure_tolerance_count=2,
                concurrency_mode=FailureToleranceMode.STRICT,
                region_concurrency_type=RegionConcurrency.SEQUENTIAL,
                region_order=["us-east-1", "eu-west-1"],
            ),
            # After the rollout, someone confirms the landing zone checks passed.
            stages_after_deploy=[
                codepipeline.StageProps(
                    stage_name="Verify",
                    actions=[
                        actions.ManualApprovalAction(
                            action_name="ConfirmRollout",
                            additional_information="Check the Control Tower dashboard for drift, then confirm.",
                        )
                    ],
                )
            ],
        )


class CustomizationsStack(Stack):
    """The management account's customizations stack."""

    def __init__(self, scope: Construct, id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        self.customizations = Customizations(self, "Customizations", team_email="cloud-team@example.com")


app = App()
CustomizationsStack(
    app,
    "Customizations",
    env=Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT", "111111111111"),
        region=os.environ.get("CDK_DEFAULT_REGION", "us-east-1"),
    ),
)
app.synth()
