namespace AgentFense.Engine;

/// <summary>What the registry keeps of a sandbox (everything but its live processes and mount).</summary>
/// <param name="Id">The sandbox id (<c>sb_</c> and 16 hex digits).</param>
/// <param name="Spec">What it was created from (the codebase path is absolute).</param>
/// <param name="State">Its lifecycle state.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record class SandboxRecord(string Id, SandboxSpec Spec, SandboxState State, DateTimeOffset CreatedAt);
