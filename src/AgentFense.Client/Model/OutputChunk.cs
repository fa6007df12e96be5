using System.Text;

namespace AgentFense;

/// <summary>A piece of a streamed command's output, or (the last item) how it ended.</summary>
/// <param name="Stream">Which stream the data came from.</param>
/// <param name="Data">The bytes, as the command wrote them.</param>
/// <param name="Exit">Set on the last item only: how the command ended.</param>
public sealed record OutputChunk(OutputStream Stream, ReadOnlyMemory<byte> Data, CommandExit? Exit = null)
{
    /// <summary>The data as UTF-8 (a multi-byte character split across chunks shows as U+FFFD).</summary>
    public string Text => Encoding.UTF8.GetString(Data.Span);

    /// <summary>True on the last item, which carries <see cref="Exit"/>.</summary>
    public bool IsExit => Exit is not null;
}
