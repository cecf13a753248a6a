using PruningLab.Data;
using PruningLab.Pruning;
using PruningLab.SecondOrder;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Tests.SecondOrder;

/// <summary>
/// OBD as a mask criterion, on a softmax regression whose diagonals are known in closed form: per sample the gradient
/// of the cross-entropy by W is (p − y)xᵀ, so the empirical Fisher diagonal is the mean of (p − y)²·x², and the exact
/// Hessian diagonal is the mean of p(1 − p)·x² — both written out here by hand.
/// </summary>
public class ObdImportanceTests
{
    private static (Sequential Model, Batch[] Batches, Tensor X, Tensor Y) Problem()
    {
        using var g = new Generator(11);
        var x = randn(400, 5, generator: g);
        var y = randint(0, 3, [400], generator: g);
        var model = nn.Sequential(("fc", nn.Linear(5, 3)));
        var batches = new[] { 0, 200 }.Select(s => new Batch(x.narrow(0, s, 200), y.narrow(0, s, 200), Enumerable.Range(s, 200).Select(i => (long)i).ToArray())).ToArray();
        return (model, batches, x.to(float64), y);
    }

    private static (Tensor W, Tensor B) Parameters(Sequential model)
    {
        var fc = (Linear)model.named_modules().First(m => m.name == "fc").module;
        return (fc.weight!.detach().to(float64), fc.bias!.detach().to(float64));
    }

    [Fact]
    public void The_Fisher_criterion_is_half_the_mean_squared_per_sample_gradient_times_w_squared()
    {
        using var scope = NewDisposeScope();
        var (model, batches, x, y) = Problem();
        using var criterion = ObdImportance.Fisher();
        Assert.Equal(400, criterion.Calibrate(model, batches).Samples);
        var (w, b) = Parameters(model);
        var residual = softmax(x.matmul(w.T) + b, 1) - nn.functional.one_hot(y, 3).to(float64);   // [N, 3]
        var fisher = residual.pow(2).T.matmul(x.pow(2)) / 400;                                      // [3, 5]
        Assert.True((criterion.Diagonal("fc.weight") - fisher).abs().max().item<double>() < 1e-6);
        Assert.True((criterion.Score("fc.weight", w) - 0.5 * fisher * w * w).abs().max().item<double>() < 1e-6);
        Assert.False(model.parameters().Any(p => p.grad is { IsInvalid: false }));
        model.Dispose();
    }

    [Fact]
    public void Hutchinsons_criterion_approaches_the_exact_diagonal_and_the_masks_can_use_it()
    {
        using var scope = NewDisposeScope();
        var (model, batches, x, _) = Problem();
        var (w, b) = Parameters(model);
        var p = softmax(x.matmul(w.T) + b, 1);
        var exact = (p * (1 - p)).T.matmul(x.pow(2)) / 400;
        using var criterion = ObdImportance.Hutchinson(samples: 2000);
        criterion.Calibrate(model, batches);
        var relative = (criterion.Diagonal("fc.weight") - exact).norm().item<double>() / exact.norm().item<double>();
        Assert.True(relative < 0.05, $"relative error {relative:G3}");
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(0.4), criterion);
        Assert.Equal(6, masks["fc"].eq(0).sum().item<long>());
        model.Dispose();
    }

    [Fact]
    public void Scoring_before_calibrating_or_calibrating_on_nothing_is_a_clear_error()
    {
        using var scope = NewDisposeScope();
        var (model, _, _, _) = Problem();
        using var criterion = ObdImportance.Fisher();
        Assert.Contains("Calibrate(model, batches) first", Assert.Throws<InvalidOperationException>(() => criterion.Score("fc.weight", ones(3, 5))).Message);
        Assert.Contains("no batches", Assert.Throws<ArgumentException>(() => criterion.Calibrate(model, [])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ObdImportance.Hutchinson(0));
        model.Dispose();
    }
}
