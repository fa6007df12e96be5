namespace AgentFense;

/// <summary>Output of a background process from given offsets on.</summary>
/// <param name="Stdout">Stdout bytes from the asked offset.</param>
/// <param name="Stderr">Stderr bytes from the asked offset.</param>
/// <param name="StdoutOffset">The stdout offset to ask for next.</param>
/// <param name="StderrOffset">The stderr offset to ask for next.</param>
/// <param name="Eof">The process ended and everything it wrote was returned.</param>
/// <param name="Process">The process as of this read.</param>
public sealed record ProcessOutput(ReadOnlyMemory<byte> Stdout, ReadOnlyMemory<byte> Stderr, long StdoutOffset, long StderrOffset, bool Eof, ProcessInfo Process);
