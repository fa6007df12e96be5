namespace AgentFense.SandboxFs.Delta;

/// <summary>What a <see cref="DeltaOverlay.Commit"/> wrote to the codebase.</summary>
/// <param name="Applied">The changes applied, in the order applied.</param>
/// <param name="Conflicts">
/// Applied changes whose codebase entry changed since the sandbox first shadowed it (last writer won: the
/// sandbox's version is now in the codebase). A subset of <paramref name="Applied"/>.
/// </param>
public sealed record CommitResult(IReadOnlyList<DeltaChange> Applied, IReadOnlyList<DeltaChange> Conflicts);
