export * from './configuration-bucket';
