using AgentFense.Runtime.Init;

namespace AgentFense.Engine;

/// <summary>A command a sandbox's box ran, as <see cref="SandboxManager.CommandEnded"/> reports it.</summary>
/// <param name="SandboxId">The sandbox.</param>
/// <param name="Record">What ran and how it ended.</param>
/// <param name="Outcome">exit_zero, exit_nonzero, timeout, oom, killed or failed .</param>
public sealed record class SandboxCommand(string SandboxId, CommandRecord Record, string Outcome);
