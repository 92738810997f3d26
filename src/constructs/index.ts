export * from './configuration-bucket';
export * from './state-machine-props';
export * from './policy-state-machine-props';
export * from './stackset-state-machine-props';
export * from './policy-state-machine';
export * from './stackset-state-machine';
