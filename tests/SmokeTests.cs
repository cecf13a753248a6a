using static TorchSharp.torch;
namespace PruningLab.Tests;
public class SmokeTests
{
    [Fact]
    public void TorchSharpCreatesATensor()
    {
        using var t = ones(3, 3);
        Assert.Equal(9.0f, t.sum().item<float>());
    }
}
