using System.Text;
using AgentFense.Init.Protocol;

namespace AgentFense.Cli.Run;

/// <summary>
/// Where the command's output goes as it comes: the process's own stdout/stderr as raw bytes (binary-safe),
/// or, when the CLI runs in-process with other writers (tests), those writers through UTF-8 decoders.
/// </summary>
internal sealed class OutputSink(CliConsole console) : IDisposable
{
    private readonly bool _raw = ReferenceEquals(console.Out, Console.Out) && ReferenceEquals(console.Error, Console.Error);
    private readonly Decoder _outDecoder = Encoding.UTF8.GetDecoder();
    private readonly Decoder _errDecoder = Encoding.UTF8.GetDecoder();
    private Stream? _stdout;
    private Stream? _stderr;

    /// <summary>True when writing to this process's own stdout/stderr (not in-process writers).</summary>
    public bool IsRaw => _raw;

    public async ValueTask WriteAsync(OutputStream stream, ReadOnlyMemory<byte> data)
    {
        var isErr = stream == OutputStream.Stderr;
        if (_raw)
        {
            var target = isErr ? _stderr ??= Console.OpenStandardError() : _stdout ??= Console.OpenStandardOutput();
            await target.WriteAsync(data).ConfigureAwait(false);
            await target.FlushAsync().ConfigureAwait(false);
            return;
        }
        var decoder = isErr ? _errDecoder : _outDecoder;
        var chars = new char[decoder.GetCharCount(data.Span, flush: false)];
        decoder.GetChars(data.Span, chars, flush: false);
        var writer = isErr ? console.Error : console.Out;
        await writer.WriteAsync(chars).ConfigureAwait(false);
        await writer.FlushAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stdout?.Dispose();
        _stderr?.Dispose();
    }
}
