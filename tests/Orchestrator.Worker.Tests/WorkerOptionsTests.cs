namespace Orchestrator.Worker.Tests;

public sealed class WorkerOptionsTests
{
    [Theory]
    [InlineData(7001, 7001, "Worker:PushPort 7001 is also Worker:Port; the lane server needs a port of its own")]
    [InlineData(0, 70000, "Worker:PushPort 70000 must be 0 to 65535")]
    [InlineData(0, -1, "Worker:PushPort -1 must be 0 to 65535")]
    public void A_push_port_that_cannot_be_bound_is_named(int port, int pushPort, string message) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => new WorkerOptions { Port = port, PushPort = pushPort }.Validate()).Message);

    [Theory]
    [InlineData(0, 0)]        // both picked by the OS
    [InlineData(7001, 7002)]
    public void Ports_of_their_own_are_accepted(int port, int pushPort) => new WorkerOptions { Port = port, PushPort = pushPort }.Validate();
}
