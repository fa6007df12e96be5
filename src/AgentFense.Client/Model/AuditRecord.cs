namespace AgentFense;

/// <summary>A filesystem operation the sandbox's policy refused.</summary>
/// <param name="Time">When.</param>
/// <param name="Operation">Named like the syscall family: lookup, open-read, unlink, ...</param>
/// <param name="Path">Relative to the codebase root.</param>
/// <param name="Level">The level the path has, which was not enough.</param>
public sealed record AuditRecord(DateTimeOffset Time, string Operation, string Path, Permission Level);
