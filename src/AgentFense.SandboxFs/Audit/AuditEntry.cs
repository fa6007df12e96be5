using AgentFense.Policy;

namespace AgentFense.SandboxFs.Audit;

/// <summary>One refused filesystem operation.</summary>
/// <param name="Time">When it was refused (UTC).</param>
/// <param name="Operation">The operation, named like the syscall family (<c>lookup</c>, <c>open-read</c>, <c>unlink</c>…).</param>
/// <param name="Path">The sandbox-relative path that was refused.</param>
/// <param name="Level">The level the path has, which was not enough.</param>
/// <param name="RuleIndex">The rule that decided the level, or -1.</param>
/// <param name="Rule">
/// The rule that decided the level, as it was when the refusal happened (the index alone would name another rule
/// once the rules are replaced); null when no rule matched (the default level) or the level came from reachability.
/// </param>
public sealed record AuditEntry(DateTimeOffset Time, string Operation, string Path, Permission Level, int RuleIndex, PermissionRule? Rule = null);
