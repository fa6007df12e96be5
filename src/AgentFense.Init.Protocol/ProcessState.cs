namespace AgentFense.Init.Protocol;

/// <summary>State of a background process.</summary>
public enum ProcessState : byte
{
    /// <summary>Still running.</summary>
    Running = 1,

    /// <summary>Exited or killed; its exit status and output are kept until released.</summary>
    Exited = 2,
}
