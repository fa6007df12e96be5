using System.Runtime.CompilerServices;
using AgentFense.Embedded.Internal;
using AgentFense.Runtime.Init;
using static AgentFense.Embedded.Internal.EngineErrors;
using EngineOutputStream = AgentFense.Init.Protocol.OutputStream;

namespace AgentFense.Embedded;

public sealed partial class EmbeddedBackend
{
    /// <inheritdoc />
    public Task<CommandResult> ExecAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var exec = EngineMapping.ToExec(command, options, RunningBox(sandboxId).Environment);
            var result = await _manager.ExecAsync(sandboxId, exec, cancellationToken).ConfigureAwait(false);
            return EngineMapping.TimedOut(result.Exit) ? throw EngineMapping.Timeout(command, exec.Timeout) : EngineMapping.ToResult(result);
        });

    /// <inheritdoc />
    public IAsyncEnumerable<OutputChunk> ExecStreamAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken)
    {
        var exec = EngineMapping.ToExec(command, options, RunningBox(sandboxId).Environment);
        return ToChunksAsync(command, exec.Timeout, () => _manager.ExecStreamAsync(sandboxId, exec, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IRunningCommand> StartCommandAsync(string sandboxId, string command, CommandOptions options, CancellationToken cancellationToken) =>
        Guard<IRunningCommand>(async () =>
        {
            var exec = EngineMapping.ToExec(command, options with { Stdin = null, StdinBytes = null }, RunningBox(sandboxId).Environment) with { StreamStdin = true };
            var execution = await _manager.StartCommandAsync(sandboxId, exec, cancellationToken).ConfigureAwait(false);
            var running = new EmbeddedRunningCommand(execution, command, exec.Timeout);
            ReadOnlyMemory<byte>? first = options.StdinBytes ?? (options.Stdin is { Length: > 0 } text ? System.Text.Encoding.UTF8.GetBytes(text) : null);
            if (first is { } bytes)
                await running.WriteStdinAsync(bytes).ConfigureAwait(false);
            return running;
        });

    /// <summary>
    /// The engine's chunks as the SDK's; a timed-out command ends the stream with <see cref="CommandTimeoutException"/>
    /// as the server's does, and the engine's errors become the SDK's.
    /// </summary>
    internal static async IAsyncEnumerable<OutputChunk> ToChunksAsync(string command, TimeSpan? timeout, Func<IAsyncEnumerable<Runtime.Init.OutputChunk>> source,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<Runtime.Init.OutputChunk> enumerator;
        try
        {
            enumerator = source().GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (Map(e) is { } mapped)
                {
                    throw mapped;
                }
                if (!more)
                    yield break;
                var chunk = enumerator.Current;
                if (chunk.Exit is { } exit)
                {
                    if (EngineMapping.TimedOut(exit))
                        throw EngineMapping.Timeout(command, timeout);
                    yield return new OutputChunk(OutputStream.None, ReadOnlyMemory<byte>.Empty, EngineMapping.ToExit(exit));
                    yield break;
                }
                // The chunk's memory is the engine's until the next item: copy it.
                yield return new OutputChunk(chunk.Stream == EngineOutputStream.Stderr ? OutputStream.Stderr : OutputStream.Stdout, chunk.Data.ToArray());
            }
        }
    }

    private Runtime.Boxes.Box RunningBox(string sandboxId)
    {
        State(sandboxId);
        try
        {
            return _manager.GetBox(sandboxId);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }
}
