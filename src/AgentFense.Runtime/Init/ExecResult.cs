using System.Text;
using AgentFense.Init.Protocol;

namespace AgentFense.Runtime.Init;

/// <summary>A finished command with its collected output.</summary>
/// <param name="Exit">How it ended.</param>
/// <param name="Stdout">Everything it wrote to stdout (up to the limit).</param>
/// <param name="Stderr">Everything it wrote to stderr (up to the limit).</param>
public sealed record class ExecResult(ExitStatus Exit, byte[] Stdout, byte[] Stderr)
{
    /// <summary>The exit code, or 128 + the signal that ended it.</summary>
    public int ExitCode => Exit.ShellExitCode;

    /// <summary>Stdout as UTF-8 text.</summary>
    public string StdoutText => Encoding.UTF8.GetString(Stdout);

    /// <summary>Stderr as UTF-8 text.</summary>
    public string StderrText => Encoding.UTF8.GetString(Stderr);
}
