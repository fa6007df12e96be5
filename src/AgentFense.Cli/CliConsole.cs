namespace AgentFense.Cli;

/// <summary>Where a command writes, and whether it may colour its output.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool Colour);
