namespace AgentFense;

/// <summary>A persistent shell session in a sandbox.</summary>
/// <param name="Id">Its id (<c>sess_…</c>).</param>
/// <param name="SandboxId">Its sandbox.</param>
/// <param name="Shell">The shell program.</param>
/// <param name="IsActive">False once closed.</param>
public sealed record SessionInfo(string Id, string SandboxId, string Shell, bool IsActive);
