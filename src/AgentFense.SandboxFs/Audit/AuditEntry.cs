using AgentFense.Policy;

namespace AgentFense.SandboxFs.Audit;

/// <summary>One refused filesystem operation.</summary>
/// <param name="Time">When it was refused (UTC).</param>
/// <param name="Operation">The operation, named like the syscall family (<c>lookup</c>, <c>open-read</c>, <c>unlink</c>…).</param>
/// <param name="Path">The sandbox-relative path that was refused.</param>
/// <param name="Level">The level the path has, which was not enough.</param>
/// <param name="RuleIndex">The rule that decided the level, or -1.</param>
public sealed record AuditEntry(DateTimeOffset Time, string Operation, string Path, Permission Level, int RuleIndex);
