using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>
/// Output bytes of one stream, or (last) the command's exit. <see cref="Data"/> is a pooled
/// buffer valid until the enumeration moves on: copy it to keep it.
/// </summary>
/// <param name="Stream">Which stream; 0 on the exit item.</param>
/// <param name="Data">The bytes.</param>
/// <param name="Exit">The exit status on the last item; null on data items.</param>
public readonly record struct OutputChunk(OutputStream Stream, ReadOnlyMemory<byte> Data, ExitStatus? Exit = null)
{
    /// <summary>True on the last item, which carries <see cref="Exit"/>.</summary>
    public bool IsExit => Exit is not null;
}
