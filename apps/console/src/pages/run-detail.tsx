import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import type { ExecutionView } from '@agentq/client';
import { api, unwrap } from '../api';
import { formatDuration, formatTime, formatTokens, formatUsd } from '../format';
import { useEventSource, useLoad } from '../hooks';
import { useSession } from '../session';
import { ErrorState, Field, Json, Loaded, StatusBadge } from '../ui';

const TERMINAL = ['succeeded', 'failed', 'cancelled'];

/** One execution: state, input, output (streamed while it runs), steps, tool-output forms. */
export function RunDetailPage({ id }: { id: string }) {
  // Both reads at once: one round trip.
  const run = useLoad(async () => {
    const [execution, steps] = await Promise.all([
      api.GET('/v1/executions/{id}', { params: { path: { id } } }),
      api.GET('/v1/executions/{id}/steps', { params: { path: { id } } }),
    ]);
    return [unwrap(execution), unwrap(steps)] as const;
  }, id);
  const execution = run.state === 'ready' ? run.data[0] : null;
  const live = execution !== null && !TERMINAL.includes(execution.status);
  const [streamed, setStreamed] = useState('');

  // Every transition re-reads the row and its steps. The stream opens with the current state:
  // already on the page unless the run moved on in between, so that one is read only then.
  useEventSource(live ? `/v1/executions/${id}/events` : null, {
    ...Object.fromEntries(
      ['started', 'retrying', 'requires_action', 'succeeded', 'failed', 'cancelled', 'queued'].map(
        (type) => [
          type,
          (data: unknown) => {
            const status = (data as { status?: string }).status;
            if (type === 'retrying' || status !== execution?.status) run.reload();
          },
        ],
      ),
    ),
  });
  useEventSource(live && execution?.stream ? `/v1/executions/${id}/stream` : null, {
    delta: (data) => setStreamed((text) => text + (data as { text: string }).text),
    reset: () => setStreamed(''),
  });

  return (
    <section>
      <p className="crumbs">
        <Link href="/runs">Runs</Link> / {id.slice(0, 8)}
      </p>
      <Loaded value={run}>
        {([execution, steps]) => (
          <>
            <h1>
              Run {execution.id.slice(0, 8)} <StatusBadge status={execution.status} />
            </h1>
            <RunActions execution={execution} />
            <dl className="facts">
              <Field label="Execution">{execution.id}</Field>
              <Field label="Agent">
                <Link href={`/agents/${execution.agentId}`}>{execution.agentId}</Link>
              </Field>
              <Field label="Attempts">
                {execution.attempts} of {execution.maxAttempts}
              </Field>
              <Field label="Tokens">
                {formatTokens(execution.usage.promptTokens)} in +{' '}
                {formatTokens(execution.usage.completionTokens)} out ={' '}
                {formatTokens(execution.usage.totalTokens)}
              </Field>
              <Field label="Cost">{formatUsd(execution.usage.costUsd, 9)}</Field>
              <Field label="Duration">{formatDuration(execution.durationMs)}</Field>
              <Field label="Queued">{formatTime(execution.queuedAt)}</Field>
              <Field label="Completed">{formatTime(execution.completedAt)}</Field>
              <Field label="Trace">
                {execution.traceId ? (
                  <code data-testid="run-trace">{execution.traceId}</code>
                ) : (
                  <span className="muted">not traced</span>
                )}
              </Field>
              {execution.planId && (
                <Field label="Plan">
                  <Link href={`/plans/${execution.planId}`}>{execution.planId}</Link> (task{' '}
                  <code>{execution.planTaskKey}</code>)
                </Field>
              )}
              {execution.sessionId && (
                <Field label="Session">
                  <Link href={`/runs?sessionId=${execution.sessionId}`}>{execution.sessionId}</Link>
                </Field>
              )}
              {execution.parentExecutionId && (
                <Field label="Parent">
                  <Link href={`/runs/${execution.parentExecutionId}`}>
                    {execution.parentExecutionId}
                  </Link>
                </Field>
              )}
              {execution.rerunOf && (
                <Field label="Rerun of">
                  <Link href={`/runs/${execution.rerunOf}`}>{execution.rerunOf}</Link>
                </Field>
              )}
              {execution.reruns.length > 0 && (
                <Field label="Reruns">
                  <ul className="links" aria-label="Reruns">
                    {execution.reruns.map((rerun) => (
                      <li key={rerun}>
                        <Link href={`/runs/${rerun}`}>{rerun}</Link>
                      </li>
                    ))}
                  </ul>
                </Field>
              )}
              {execution.handoffTo && (
                <Field label="Hands off to agent">{execution.handoffTo}</Field>
              )}
            </dl>
            {execution.error && (
              <div className="error" role="alert">
                <strong>{execution.error.code}</strong> {execution.error.message}
              </div>
            )}
            <h2>Input</h2>
            <Json value={execution.input} />
            <h2>Output</h2>
            {execution.output ? (
              <pre className="output" data-testid="run-output">
                {execution.output.text}
              </pre>
            ) : live && execution.stream ? (
              <pre className="output streaming" data-testid="run-output" aria-live="polite">
                {streamed || '…'}
              </pre>
            ) : (
              <div className="empty">{live ? 'Not finished yet.' : 'No output.'}</div>
            )}
            {execution.status === 'requires_action' && execution.requiredAction && (
              <ToolOutputsForm execution={execution} onDone={() => run.reload()} />
            )}
            <h2>Steps</h2>
            {steps.length === 0 ? (
              <div className="empty">No steps recorded.</div>
            ) : (
              <ol className="timeline">
                {steps.map((step) => (
                  <li key={`${step.attempt}-${step.index}`} className={`step step-${step.type}`}>
                    <strong>
                      {step.type === 'model' ? 'Model' : 'Tool'} {step.name}
                    </strong>{' '}
                    <span className="muted">
                      attempt {step.attempt} · {formatDuration(step.durationMs)} ·{' '}
                      {formatTime(step.startedAt)}
                    </span>
                    {step.usage && (
                      <span className="muted">
                        {' '}
                        · {formatTokens(step.usage.totalTokens)} tokens ·{' '}
                        {formatUsd(step.usage.costUsd, 9)}
                      </span>
                    )}
                    {step.type === 'tool' && <Json value={step.arguments} />}
                    {step.result && <pre className="output">{step.result}</pre>}
                    {step.error && (
                      <p className="error">
                        {step.error.code}: {step.error.message}
                      </p>
                    )}
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}

function RunActions({ execution }: { execution: ExecutionView }) {
  const { canWrite } = useSession();
  const [, navigate] = useLocation();
  const [problem, setProblem] = useState<string | null>(null);
  if (!canWrite) return null;
  const cancel = async () => {
    const result = await api.POST('/v1/executions/{id}/cancel', {
      params: { path: { id: execution.id } },
    });
    if (!result.data) setProblem(result.error?.error.message ?? 'cancel failed');
  };
  // The API's rerun: a new execution linked by rerunOf, from scratch, with the same input.
  const rerun = async () => {
    try {
      const again = unwrap(
        await api.POST('/v1/executions/{id}/rerun', {
          params: { path: { id: execution.id } },
          body: {},
        }),
      );
      navigate(`/runs/${again.id}`);
    } catch (error) {
      setProblem((error as Error).message);
    }
  };
  return (
    <div className="actions">
      {!TERMINAL.includes(execution.status) && (
        <button type="button" onClick={() => void cancel()}>
          Cancel
        </button>
      )}
      {TERMINAL.includes(execution.status) && (
        <button type="button" onClick={() => void rerun()}>
          Rerun
        </button>
      )}
      {problem && <ErrorState message={problem} />}
    </div>
  );
}

// One answer per pending tool call: JSON (or plain text) posted to POST .../tool-outputs.
function ToolOutputsForm({ execution, onDone }: { execution: ExecutionView; onDone(): void }) {
  const { canWrite } = useSession();
  const calls = execution.requiredAction?.toolCalls ?? [];
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const outputs = calls.map((call) => {
      const text = answers[call.id] ?? '';
      let output: string | number | boolean | unknown[] | Record<string, unknown> = text;
      try {
        output = JSON.parse(text);
      } catch {
        // Not JSON: sent as the text it is.
      }
      return { toolCallId: call.id, output };
    });
    const result = await api.POST('/v1/executions/{id}/tool-outputs', {
      params: { path: { id: execution.id } },
      body: { outputs },
    });
    if (result.data) onDone();
    else setProblem(result.error?.error.message ?? 'could not post the tool outputs');
  };
  return (
    <form className="tool-outputs" onSubmit={submit} aria-label="Tool outputs">
      <h2>Waiting for tool outputs</h2>
      {calls.map((call) => (
        <fieldset key={call.id}>
          <legend>
            {call.name} <code>{call.id}</code>
          </legend>
          <Json value={call.arguments} />
          <label htmlFor={`output-${call.id}`}>Output of {call.name} (JSON or text)</label>
          <textarea
            id={`output-${call.id}`}
            value={answers[call.id] ?? ''}
            onChange={(event) => setAnswers({ ...answers, [call.id]: event.target.value })}
            required
          />
        </fieldset>
      ))}
      <button type="submit" disabled={!canWrite}>
        Send tool outputs
      </button>
      {!canWrite && <p className="muted">This session is read-only.</p>}
      {problem && <ErrorState message={problem} />}
    </form>
  );
}
