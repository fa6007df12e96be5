namespace AgentFense.Init;

/// <summary>What a spawned process is for.</summary>
internal enum JobKind
{
    /// <summary>A command whose output streams to the engine.</summary>
    Exec,

    /// <summary>A background process whose output init keeps.</summary>
    Background,

    /// <summary>A session's shell.</summary>
    Shell,
}
