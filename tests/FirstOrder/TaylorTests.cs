using PruningLab.Data;
using PruningLab.FirstOrder;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Structured;
using PruningLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PruningLab.Tests.FirstOrder;

/// <summary>
/// First-order Taylor criteria against independent truths: the weight criteria of a softmax regression against its
/// gradient written out by hand, ((softmax − one-hot)ᵀX / N); Molchanov's channel criterion against central differences
/// of the loss when one example's feature map is scaled; and the trainer's after-backward point.
/// </summary>
public class TaylorTests
{
    private static nn.Module<Tensor, Tensor> Regression(Tensor weight)
    {
        var layer = nn.Linear(4, 3, hasBias: false, dtype: float64);
        using (no_grad()) layer.weight!.copy_(weight);
        return nn.Sequential(("fc", layer));
    }

    private static Batch NewBatch(int seed, int n = 20)
    {
        using var g = new Generator((ulong)seed);
        return new Batch(randn(n, 4, dtype: float64, generator: g), randint(0, 3, [n], generator: g), Enumerable.Range(0, n).Select(i => (long)i).ToArray());
    }

    // ∂L/∂W of the mean cross-entropy of a linear softmax model, by hand.
    private static Tensor Gradient(Tensor w, Batch batch) =>
        (softmax(batch.X.matmul(w.T), 1) - nn.functional.one_hot(batch.Y, 3).to(float64)).T.matmul(batch.X) / batch.Y.shape[0];

    [Fact]
    public void Absolute_and_squared_sum_scores_average_the_hand_written_gradient_over_batches()
    {
        using var scope = NewDisposeScope();
        var w = randn(3, 4, dtype: float64, generator: new Generator(1));
        using var model = Regression(w);
        var batches = new[] { NewBatch(2), NewBatch(3) };
        using var absolute = TaylorImportance.Absolute();
        using var rows = TaylorImportance.SquaredSum(Granularity.Rows);
        Assert.Equal(new Calibration(2, 40), absolute.Calibrate(model, batches));
        rows.Calibrate(model, batches);
        var changes = batches.Select(b => w * Gradient(w, b)).ToList();
        var expectedAbsolute = (changes[0].abs() + changes[1].abs()) / 2;
        var expectedRows = (changes[0].sum(1).pow(2) + changes[1].sum(1).pow(2)) / 2;
        Assert.True((absolute.Score("fc.weight", w) - expectedAbsolute).abs().max().item<double>() < 1e-12);
        Assert.True((rows.GroupScores("fc.weight", w, Granularity.Rows) - expectedRows).abs().max().item<double>() < 1e-12);
        // The absolute criterion's groups are sums; the squared one refuses another granularity.
        Assert.True((absolute.GroupScores("fc.weight", w, Granularity.Rows) - expectedAbsolute.sum(1)).abs().max().item<double>() < 1e-12);
        Assert.Contains("prune with that granularity", Assert.Throws<ArgumentException>(() => rows.GroupScores("fc.weight", w, Granularity.Columns)).Message);
        // The masks use the group scores as given: the row whose (Σ w·g)² is lowest goes.
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(Amount.Exactly(1)), rows, Granularity.Rows);
        var pruned = masks["fc"].sum(1).eq(0).nonzero().flatten().item<long>();
        Assert.Equal(expectedRows.argmin().item<long>(), pruned);
        Assert.Equal(0, model.parameters().First().grad?.abs().sum().item<double>() ?? 0);   // no gradients left behind
    }

    [Fact]
    public void A_criterion_without_data_or_with_no_batches_says_what_to_do()
    {
        using var model = Regression(ones(3, 4, dtype: float64));
        using var taylor = TaylorImportance.Absolute();
        Assert.Null(taylor.Calibrated);
        Assert.Contains("Calibrate", Assert.Throws<InvalidOperationException>(() => taylor.Score("fc.weight", ones(3, 4))).Message);
        Assert.Contains("no batches", Assert.Throws<ArgumentException>(() => taylor.Calibrate(model, [])).Message);
        // A diverged model: the criterion refuses to score from NaN weights instead of ranking by NaN.
        using var diverged = Regression(full(3, 4, double.NaN, dtype: float64));
        using var fresh = TaylorImportance.Absolute();
        Assert.Contains("NaN or infinite", Assert.Throws<InvalidOperationException>(() => fresh.Calibrate(diverged, [NewBatch(1)])).Message);
        using var channels = new ChannelTaylor();
        using var vgg = ModelZoo.Create(ModelZoo.SmallVgg, seed: 1);
        Assert.Contains("Calibrate", Assert.Throws<InvalidOperationException>(() => channels.Score(vgg, ChannelCoupling.For(vgg).Groups.First())).Message);
    }

    [Fact]
    public void The_trainer_calls_AfterBackward_with_this_batch_s_gradients_before_the_step()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        using var train = new ImageDataset(rand(64, 1, 28, 28, generator: g), randint(0, 10, [64], generator: g), Enumerable.Range(0, 10).Select(i => $"{i}").ToList());
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 2);
        using var taylor = TaylorImportance.Absolute();
        var order = new Recorder();
        Trainer.Fit(model, train, train, new TrainingOptions { Epochs = 1, BatchSize = 32, Hooks = [order, taylor], Progress = ProgressDisplay.None });
        Assert.Equal(2, taylor.Calibrated!.Batches);
        Assert.Equal(["backward 0: gradients present", "step 0: weights moved", "backward 1: gradients present", "step 1: weights moved"], order.Events);
    }

    private sealed class Recorder : ITrainingHook
    {
        private Tensor? before;
        public List<string> Events { get; } = [];
        public void AfterBackward(nn.Module model, long step)
        {
            var weight = model.parameters().First();
            Events.Add($"backward {step}: gradients " + (weight.grad is { IsInvalid: false } ? "present" : "missing"));
            before = weight.detach().clone();
        }
        public void AfterOptimizerStep(nn.Module model, long step) =>
            Events.Add($"step {step}: weights " + (model.parameters().First().eq(before!).all().item<bool>() ? "unchanged" : "moved"));
    }

    [Fact]
    public void Molchanov_channel_scores_match_central_differences_of_the_loss()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 3);
        model.to(float64);
        using var g = new Generator(6);
        const int n = 4;
        var batch = new Batch(rand(n, 1, 28, 28, dtype: float64, generator: g), randint(0, 10, [n], generator: g), [0, 1, 2, 3]);
        using var taylor = new ChannelTaylor();
        Assert.Equal(new Calibration(1, n), taylor.Calibrate(model, [batch]));
        var group = ChannelCoupling.For(model)["features.conv2"];
        var scores = taylor.Score(model, group);
        // Truth: scale example e's feature map c after bn2 by (1 + t); dL/dt at 0 is the sum over positions of a·∂L/∂a.
        var bn = (nn.Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == group.BatchNorm).module;
        model.eval();
        double LossAt(int e, int c, double t)
        {
            var hook = bn.register_forward_hook((_, _, output) =>
            {
                var scale = ones_like(output);
                scale[e, c] = 1 + t;
                return output * scale;
            });
            try
            {
                using var noGrad = no_grad();
                return nn.functional.cross_entropy(model.call(batch.X), batch.Y).item<double>();
            }
            finally
            {
                hook.remove();
            }
        }
        var channels = (int)scores.shape[0];
        var expected = new double[channels];
        for (var c = 0; c < channels; c++)
            for (var e = 0; e < n; e++)
                expected[c] += Math.Abs((LossAt(e, c, 1e-5) - LossAt(e, c, -1e-5)) / 2e-5);
        var norm = Math.Sqrt(expected.Sum(v => v * v));
        for (var c = 0; c < channels; c++) Assert.Equal(expected[c] / norm, scores[c].item<double>(), 6);
        Assert.Equal(1, scores.norm().item<double>(), 12);   // normalised per layer
        // And it drives channel selection like any other channel criterion.
        var keep = ChannelPruning.Select(model, 0.25, taylor, null, group.Name)[group.Name];
        Assert.Equal(Enumerable.Range(0, channels).OrderByDescending(c => expected[c]).Take(12).Order().Select(c => (long)c), keep);
    }
}
