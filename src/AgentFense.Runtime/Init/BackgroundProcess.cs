namespace AgentFense.Runtime.Init;

/// <summary>A background process started through init.</summary>
/// <param name="Id">The request id naming it in <see cref="InitClient"/> calls.</param>
/// <param name="Pid">Its pid in init's pid namespace.</param>
public readonly record struct BackgroundProcess(uint Id, int Pid);
