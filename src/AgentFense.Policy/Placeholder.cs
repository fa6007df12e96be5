namespace AgentFense.Policy; internal static class Placeholder { }
