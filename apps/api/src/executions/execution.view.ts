// The view lives with the execution lifecycle, so webhook deliveries carry the same shape.
export { ExecutionView, toExecutionView } from '@agentq/executions';
