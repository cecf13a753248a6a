using PruningLab.Runtime;
using static TorchSharp.torch;

namespace PruningLab.Tests;

public class SmokeTests
{
    [Fact]
    public void TorchSharp_loads_the_course_libtorch_and_trains_a_tensor()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        // Fit y = 3x - 1 by gradient descent: fails if the natives cannot compute or differentiate.
        var x = linspace(-1, 1, 64).unsqueeze(1);
        var y = 3 * x - 1;
        var w = nn.Parameter(zeros(1));
        var b = nn.Parameter(zeros(1));
        var optimizer = optim.SGD([w, b], 0.5);
        double first = 0, last = 0;
        for (var step = 0; step < 100; step++)
        {
            optimizer.zero_grad();
            var loss = (x * w + b - y).pow(2).mean();
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first * 1e-3, $"loss went from {first} to {last}");
        Assert.Equal(3.0, w.item<float>(), 2);
        Assert.Equal(-1.0, b.item<float>(), 2);
    }

    [Fact]
    public void The_loaded_libtorch_is_the_course_copy_not_a_system_one()
    {
        TorchRuntime.EnsureLoaded();
        using var t = ones(2, 2).matmul(ones(2, 2));
        var mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && Path.GetFileName(f[^1]) is "libtorch_cpu.so" or "libLibTorchSharp.so")
            .Select(f => f[^1]).Distinct().ToList();
        Assert.Contains(mapped, p => p.EndsWith("libtorch_cpu.so"));
        Assert.Contains(mapped, p => p.EndsWith("libLibTorchSharp.so"));
        Assert.All(mapped, p => Assert.DoesNotContain("/usr/lib", p));
        Assert.Equal(1, mapped.Count(p => p.EndsWith("libtorch_cpu.so")));
    }
}
