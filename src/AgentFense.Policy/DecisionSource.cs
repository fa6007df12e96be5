namespace AgentFense.Policy;

/// <summary>Why a path got its level.</summary>
public enum DecisionSource
{
    /// <summary>No rule matched and nothing beneath is visible: the level is <see cref="Permission.None"/>.</summary>
    Default = 0,

    /// <summary>A rule matched the path itself.</summary>
    Rule = 1,

    /// <summary>
    /// The directory's own level is <see cref="Permission.None"/>, but a rule makes something beneath it
    /// visible, so it is raised to <see cref="Permission.View"/> to let that path be reached.
    /// </summary>
    Reachability = 2,
}
