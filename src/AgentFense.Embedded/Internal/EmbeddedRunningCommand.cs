using System.Runtime.CompilerServices;
using AgentFense.Runtime.Init;

namespace AgentFense.Embedded.Internal;

/// <summary>An <see cref="IRunningCommand"/> over the engine's <see cref="CommandExecution"/>.</summary>
internal sealed class EmbeddedRunningCommand(CommandExecution execution, string command, TimeSpan? timeout) : IRunningCommand
{
    public Task WriteStdinAsync(ReadOnlyMemory<byte> data) => EngineErrors.Guard(async () => await execution.WriteStdinAsync(data).ConfigureAwait(false));

    public Task CloseStdinAsync() => EngineErrors.Guard(async () => await execution.CloseStdinAsync().ConfigureAwait(false));

    public Task SignalAsync(int signal)
    {
        if (signal is <= 0 or > 64)
            throw new InvalidArgumentException($"signal {signal} is not a signal number", "INVALID_ARGUMENT");
        return EngineErrors.Guard(async () => await execution.SignalAsync(signal).ConfigureAwait(false));
    }

    public IAsyncEnumerable<OutputChunk> ReadOutputAsync(CancellationToken cancellationToken = default) =>
        EmbeddedBackend.ToChunksAsync(command, timeout, () => execution.ReadOutputAsync(cancellationToken), cancellationToken);

    public ValueTask DisposeAsync() => execution.DisposeAsync();
}
