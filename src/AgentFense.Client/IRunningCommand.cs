namespace AgentFense;

/// <summary>
/// A command started with <see cref="Sandbox.StartCommandAsync"/>: write its stdin while reading its output
/// (an agent driving a REPL, a program that asks questions). Disposing kills it if it still runs.
/// </summary>
public interface IRunningCommand : IAsyncDisposable
{
    /// <summary>Sends <paramref name="data"/> to the command's stdin.</summary>
    Task WriteStdinAsync(ReadOnlyMemory<byte> data);

    /// <summary>Ends the command's stdin: it reads end of file.</summary>
    Task CloseStdinAsync();

    /// <summary>Sends <paramref name="signal"/> (2 SIGINT, 15 SIGTERM, ...) to the command's process group.</summary>
    Task SignalAsync(int signal);

    /// <summary>The output as it comes; the last item carries <see cref="OutputChunk.Exit"/>. Read it once.</summary>
    IAsyncEnumerable<OutputChunk> ReadOutputAsync(CancellationToken cancellationToken = default);
}
