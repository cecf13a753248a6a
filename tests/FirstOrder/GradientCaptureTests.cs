using PruningLab.Data;
using PruningLab.FirstOrder;
using PruningLab.Models;
using PruningLab.Structured;
using static TorchSharp.torch;

namespace PruningLab.Tests.FirstOrder;

/// <summary>
/// The per-batch captures of lesson 05 against a softmax regression written out by hand: the weight's gradient on a
/// batch is (softmax − one-hot)ᵀX/N, the output is XWᵀ, and each example's own loss gradient by that output is its
/// softmax − one-hot.
/// </summary>
public class GradientCaptureTests
{
    private static Batch NewBatch(int seed, int n)
    {
        using var g = new Generator((ulong)seed);
        return new Batch(randn(n, 4, dtype: float64, generator: g), randint(0, 3, [n], generator: g), Enumerable.Range(0, n).Select(i => (long)i).ToArray());
    }

    [Fact]
    public void Parameter_gradients_and_output_gradients_are_the_hand_written_ones_batch_by_batch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        var w = randn(3, 4, dtype: float64, generator: g);
        var layer = nn.Linear(4, 3, hasBias: false, dtype: float64);
        using (no_grad()) layer.weight!.copy_(w);
        using var model = nn.Sequential(("fc", layer));
        Batch[] batches = [NewBatch(1, 6), NewBatch(2, 4)];
        var gradients = GradientCapture.OfParameter(model, "fc.weight", batches);
        var outputs = GradientCapture.OfOutput(model, "fc", batches);
        Assert.Equal(2, gradients.Count);
        Assert.Equal(2, outputs.Count);
        foreach (var (batch, k) in batches.Select((b, k) => (b, k)))
        {
            var residual = softmax(batch.X.matmul(w.T), 1) - nn.functional.one_hot(batch.Y, 3).to(float64);
            Assert.True((gradients[k] - residual.T.matmul(batch.X) / batch.Y.shape[0]).abs().max().item<double>() < 1e-12);
            Assert.True((outputs[k].Activation - batch.X.matmul(w.T)).abs().max().item<double>() < 1e-12);
            Assert.True((outputs[k].Gradient - residual).abs().max().item<double>() < 1e-12);
        }
        Assert.False(model.parameters().Any(p => p.grad is { IsInvalid: false }));
        Assert.Contains("no parameter 'fc.bias'", Assert.Throws<ArgumentException>(() => GradientCapture.OfParameter(model, "fc.bias", batches)).Message);
        Assert.Contains("no tensor-to-tensor module 'conv'", Assert.Throws<ArgumentException>(() => GradientCapture.OfOutput(model, "conv", batches)).Message);
    }

    [Fact]
    public void Given_channel_scores_decide_which_neurons_go()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 1);
        var fc1 = arange(300, dtype: float64);   // neuron i scores i: the lowest indices go
        var fc2 = arange(100, dtype: float64).flip(0);
        var keep = ChannelPruning.Select(model, 0.5, ChannelImportance.FromScores(new Dictionary<string, Tensor> { ["fc1"] = fc1, ["fc2"] = fc2 }, "given"), groups: ["fc1", "fc2"]);
        Assert.Equal(Enumerable.Range(150, 150).Select(i => (long)i), keep["fc1"].Order());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), keep["fc2"].Order());
        Assert.Contains("No scores for the channels of 'fc2'", Assert.Throws<ArgumentException>(() =>
            ChannelPruning.Select(model, 0.5, ChannelImportance.FromScores(new Dictionary<string, Tensor> { ["fc1"] = fc1 }, "given"), groups: ["fc1", "fc2"])).Message);
    }
}
