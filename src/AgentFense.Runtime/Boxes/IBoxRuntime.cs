namespace AgentFense.Runtime.Boxes;

/// <summary>
/// Starts boxes: an isolated process tree whose PID 1 is agentfense-init. Running commands,
/// sessions and background processes is not runtime-specific: it goes through
/// <see cref="Box.Client"/>.
/// </summary>
public interface IBoxRuntime
{
    /// <summary>Short name of the runtime (<c>bwrap</c>, <c>docker</c>).</summary>
    string Name { get; }

    /// <summary>Starts a box and returns once its init has said Hello.</summary>
    /// <exception cref="BoxException">The box could not be started; nothing of it is left behind.</exception>
    Task<Box> StartAsync(BoxSpec spec, CancellationToken cancellationToken = default);
}
