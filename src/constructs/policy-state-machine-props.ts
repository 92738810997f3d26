import { DeployStateMachineProps } from './state-machine-props';

/**
 * Properties of a {@link PolicyStateMachine}.
 */
export interface PolicyStateMachineProps extends DeployStateMachineProps {}
