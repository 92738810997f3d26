// The jsii API: constructs and the types their props need. Engine, manifest and CLI code is
// internal and reaches users only as bundled Lambda assets and the bundled `cfct` executable.
export * from './constructs';
