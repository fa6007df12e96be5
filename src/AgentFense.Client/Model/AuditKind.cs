namespace AgentFense;

/// <summary>What an <see cref="AuditRecord"/> records.</summary>
public enum AuditKind
{
    /// <summary>A filesystem operation the policy refused.</summary>
    Refusal = 1,

    /// <summary>A command the box ran.</summary>
    Command = 2,
}
