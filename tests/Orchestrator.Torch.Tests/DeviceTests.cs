namespace Orchestrator.Torch.Tests;

public sealed class DeviceTests
{
    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData(" CPU ", "cpu")]
    [InlineData("cuda", "cuda:0")]
    [InlineData("cuda:3", "cuda:3")]
    public void Parses_libtorchs_device_names(string text, string expected) => Assert.Equal(expected, Device.Parse(text).ToString());

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void Refuses_other_names_naming_them(string text) =>
        Assert.Contains($"'{text}' is not a device", Assert.Throws<FormatException>(() => Device.Parse(text)).Message);

    [Fact]
    public void Sees_the_cuda_devices_python_torch_sees_and_names_a_device_it_cannot_use()
    {
        int python = int.Parse(PythonTorch.Run("cuda_devices.py").Trim());
        Assert.Equal(python, torch.cuda.device_count());
        Assert.Null(Device.CPU.Unavailability());
        // The tests' libtorch (Debian's) is CPU-only; on a CUDA build the same checks apply past its last device.
        var missing = Device.CUDA(python);
        Assert.Equal(python == 0
            ? "cuda:0: this libtorch sees no CUDA device (a CPU-only build, or no GPU or driver on this machine)"
            : $"cuda:{python}: this machine has {python} CUDA device(s), cuda:0 to cuda:{python - 1}", missing.Unavailability());
    }
}
