using System.Runtime.CompilerServices;

namespace AgentFense.Remote;

/// <summary>An <see cref="IRunningCommand"/> over an ExecInteractive call.</summary>
internal sealed class RemoteRunningCommand(InteractiveCommand call) : IRunningCommand
{
    public Task WriteStdinAsync(ReadOnlyMemory<byte> data) => call.WriteStdinAsync(data);

    public Task CloseStdinAsync() => call.CloseStdinAsync();

    public Task SignalAsync(int signal) => call.SignalAsync(signal);

    public async IAsyncEnumerable<OutputChunk> ReadOutputAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var output in call.ReadOutputAsync(cancellationToken).ConfigureAwait(false))
            yield return WireMapping.FromWire(output);
    }

    public ValueTask DisposeAsync() => call.DisposeAsync();
}
