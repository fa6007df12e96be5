namespace AgentFense;

/// <summary>What a commit wrote into the codebase.</summary>
/// <param name="Applied">Every change written.</param>
/// <param name="Conflicts">Paths the codebase changed meanwhile; the sandbox's version was written anyway.</param>
public sealed record CommitOutcome(IReadOnlyList<FileChange> Applied, IReadOnlyList<FileChange> Conflicts);
