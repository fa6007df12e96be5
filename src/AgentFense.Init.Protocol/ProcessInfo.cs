namespace AgentFense.Init.Protocol;

/// <summary>One background process in a <see cref="ProcessList"/>.</summary>
/// <param name="Id">The id of the request that started it.</param>
/// <param name="Pid">Its pid (in init's pid namespace).</param>
/// <param name="State">Running or exited.</param>
/// <param name="Command">The command line (argv joined by spaces).</param>
/// <param name="Exit">The exit status once <see cref="ProcessState.Exited"/>; default while running.</param>
public readonly record struct ProcessInfo(uint Id, int Pid, ProcessState State, string Command, ExitStatus Exit);
