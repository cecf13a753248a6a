using PruningLab.SecondOrder;
using static TorchSharp.torch;

namespace PruningLab.Tests.SecondOrder;

/// <summary>
/// Optimal Brain Damage and Optimal Brain Surgeon against brute force where the quadratic model is exact: a linear
/// least-squares problem L(w) = ‖Xw − y‖² / 2N at its minimum. There the OBD saliency is the loss increase of zeroing
/// a weight, the OBS saliency the increase after zeroing it and re-solving the others, and the OBS update is that re-fit.
/// Every expected value comes from a direct route: evaluating the loss, or solving the smaller least-squares problem.
/// </summary>
public class TruthTests
{
    private const int N = 40, D = 6;

    private sealed record Problem(Tensor X, Tensor Y)
    {
        public double Loss(Tensor w) => (X.matmul(w) - Y).pow(2).sum().item<double>() / (2 * N);
        public Tensor Hessian => X.T.matmul(X) / N;
        // The least-squares fit using only the columns in `kept`; the others stay at zero.
        public Tensor FitWith(IReadOnlyList<long> kept)
        {
            var columns = X.index_select(1, tensor(kept.ToArray()));
            var fit = linalg.solve(columns.T.matmul(columns), columns.T.matmul(Y));
            return zeros(D, dtype: float64).index_copy_(0, tensor(kept.ToArray()), fit);
        }
    }

    private static Problem NewProblem(int seed)
    {
        using var g = new Generator((ulong)seed);
        var x = randn(N, D, dtype: float64, generator: g) + 0.3 * randn(N, 1, dtype: float64, generator: g);   // correlated columns
        var y = x.matmul(randn(D, dtype: float64, generator: g)) + 0.5 * randn(N, dtype: float64, generator: g);
        return new Problem(x, y);
    }

    private static long[] All => Enumerable.Range(0, D).Select(i => (long)i).ToArray();

    [Fact]
    public void The_exact_Hessian_of_least_squares_is_XtX_over_N()
    {
        using var scope = NewDisposeScope();
        var p = NewProblem(1);
        var h = Hessian.Exact(w => (p.X.matmul(w) - p.Y).pow(2).sum() / (2 * N), zeros(D, dtype: float64));
        Assert.True((h - p.Hessian).abs().max().item<double>() < 1e-12);
        // A non-quadratic loss: L = Σ wᵢ³ has H = diag(6w).
        var at = tensor(new double[] { 1, -2, 0.5 });
        var cubic = Hessian.Exact(w => w.pow(3).sum(), at);
        Assert.True((cubic - diag(6 * at)).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void The_Hessian_of_a_linear_layer_follows_the_order_of_its_parameters()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(2);
        var x = randn(10, 3, dtype: float64, generator: g);
        var target = randn(10, 2, dtype: float64, generator: g);
        using var layer = nn.Linear(3, 2, dtype: float64);
        var parameters = layer.parameters().Cast<Tensor>().ToList();   // weight [2, 3] row by row, then bias [2]
        var h = Hessian.OfParameters(() => nn.functional.mse_loss(layer.call(x), target), parameters);
        // mse_loss averages over 10·2 entries: L = Σ (x·Wⱼ + bⱼ − y)² / 20, so each output's block is 2/20 · [x 1]ᵀ[x 1].
        var augmented = cat([x, ones(10, 1, dtype: float64)], 1);
        var block = augmented.T.matmul(augmented) / 10;
        int[] output0 = [0, 1, 2, 6], output1 = [3, 4, 5, 7];
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 4; j++)
            {
                Assert.Equal(block[i, j].item<double>(), h[output0[i], output0[j]].item<double>(), 10);
                Assert.Equal(block[i, j].item<double>(), h[output1[i], output1[j]].item<double>(), 10);
                Assert.Equal(0, h[output0[i], output1[j]].item<double>(), 10);
            }
    }

    [Fact]
    public void OBD_saliency_is_the_loss_increase_of_zeroing_each_weight()
    {
        using var scope = NewDisposeScope();
        var p = NewProblem(3);
        var w = p.FitWith(All);
        var saliency = OptimalBrainDamage.Saliency(w, p.Hessian.diagonal());
        for (var k = 0; k < D; k++)
        {
            var zeroed = w.clone();
            zeroed[k] = 0;
            Assert.Equal(p.Loss(zeroed) - p.Loss(w), saliency[k].item<double>(), 10);
        }
    }

    [Fact]
    public void OBS_saliency_is_the_loss_increase_after_refitting_and_picks_the_brute_force_weight()
    {
        using var scope = NewDisposeScope();
        var p = NewProblem(4);
        var w = p.FitWith(All);
        var inverse = linalg.inv(p.Hessian);
        var saliency = OptimalBrainSurgeon.Saliency(w, inverse);
        var increases = All.Select(q => p.Loss(p.FitWith(All.Where(k => k != q).ToList())) - p.Loss(w)).ToArray();
        for (var q = 0; q < D; q++) Assert.Equal(increases[q], saliency[q].item<double>(), 10);
        Assert.Equal(Array.IndexOf(increases, increases.Min()), saliency.argmin().item<long>());
        // OBS's increase is never above OBD's (the others move to help); with correlated columns it is below for some.
        var obd = OptimalBrainDamage.Saliency(w, p.Hessian.diagonal());
        Assert.True(saliency.le(obd + 1e-12).all().item<bool>());
        Assert.True(saliency.lt(obd - 1e-6).any().item<bool>());
    }

    [Fact]
    public void OBS_update_and_downdate_reproduce_the_refit_step_after_step()
    {
        using var scope = NewDisposeScope();
        var p = NewProblem(5);
        var w = p.FitWith(All);
        var inverse = linalg.inv(p.Hessian);
        var removed = new List<long>();
        for (var step = 0; step < 3; step++)
        {
            var q = OptimalBrainSurgeon.Saliency(w, inverse).argmin().item<long>();
            Assert.DoesNotContain(q, removed);   // a removed weight scores +∞ and is never chosen again
            w = OptimalBrainSurgeon.Update(w, inverse, q);
            inverse = OptimalBrainSurgeon.Downdate(inverse, q);
            removed.Add(q);
            var kept = All.Except(removed).ToList();
            Assert.True((w - p.FitWith(kept)).abs().max().item<double>() < 1e-9, $"step {step}: the update is the least-squares refit");
            // The downdated inverse is the inverse of the Hessian of the survivors, and zero elsewhere.
            var index = tensor(kept.ToArray());
            var survivors = p.Hessian.index_select(0, index).index_select(1, index);
            Assert.True((inverse.index_select(0, index).index_select(1, index) - linalg.inv(survivors)).abs().max().item<double>() < 1e-9);
            Assert.Equal(0, inverse.index_select(0, tensor(removed.ToArray())).abs().sum().item<double>());
            Assert.Equal(double.PositiveInfinity, OptimalBrainSurgeon.Saliency(w, inverse)[q].item<double>());
        }
    }

    [Fact]
    public void Removing_a_block_at_once_is_the_refit_without_it()
    {
        using var scope = NewDisposeScope();
        var p = NewProblem(6);
        var w = p.FitWith(All);
        var inverse = linalg.inv(p.Hessian);
        long[] block = [4, 1];
        var kept = All.Except(block).ToList();
        var refit = p.FitWith(kept);
        Assert.True((OptimalBrainSurgeon.Update(w, inverse, block) - refit).abs().max().item<double>() < 1e-9);
        Assert.Equal(p.Loss(refit) - p.Loss(w), OptimalBrainSurgeon.Saliency(w, inverse, block), 10);
        var index = tensor(kept.ToArray());
        var downdated = OptimalBrainSurgeon.Downdate(inverse, block);
        var survivors = p.Hessian.index_select(0, index).index_select(1, index);
        Assert.True((downdated.index_select(0, index).index_select(1, index) - linalg.inv(survivors)).abs().max().item<double>() < 1e-9);
        Assert.Equal(0, downdated.index_select(1, tensor(block)).abs().sum().item<double>());
        // A block of one is the single-weight formula.
        Assert.True((OptimalBrainSurgeon.Update(w, inverse, [2L]) - OptimalBrainSurgeon.Update(w, inverse, 2)).abs().max().item<double>() < 1e-12);
        Assert.Equal(OptimalBrainSurgeon.Saliency(w, inverse)[2].item<double>(), OptimalBrainSurgeon.Saliency(w, inverse, [2L]), 12);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => OptimalBrainSurgeon.Update(w, inverse, [1L, 1L])).Message);
        Assert.Contains("already removed", Assert.Throws<ArgumentException>(() => OptimalBrainSurgeon.Downdate(downdated, [1L])).Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Greedy_OBS_ends_at_the_refit_of_what_it_keeps_and_predicts_the_loss_increase(int blockSize)
    {
        using var scope = NewDisposeScope();
        var p = NewProblem(7);
        var w = p.FitWith(All);
        var result = OptimalBrainSurgeon.RemoveGreedily(w, linalg.inv(p.Hessian), count: 3, blockSize);
        Assert.Equal(3, result.Order.Distinct().Count());
        var kept = All.Except(result.Order).ToList();
        Assert.Equal(kept, Enumerable.Range(0, D).Where(k => result.Kept[k].item<bool>()).Select(k => (long)k));
        Assert.True((result.Weights - p.FitWith(kept)).abs().max().item<double>() < 1e-9);
        Assert.Equal(p.Loss(result.Weights) - p.Loss(w), result.PredictedIncrease, 10);
        if (blockSize == 1)
        {
            // Each step takes the weight whose removal costs least given those already gone: brute force agrees.
            var gone = new List<long>();
            foreach (var q in result.Order)
            {
                var best = All.Except(gone).MinBy(c => p.Loss(p.FitWith(All.Except(gone).Where(k => k != c).ToList())));
                Assert.Equal(best, q);
                gone.Add(q);
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => OptimalBrainSurgeon.RemoveGreedily(w, linalg.inv(p.Hessian), count: D + 1));
    }

    [Fact]
    public void Bad_input_gets_a_clear_error()
    {
        using var scope = NewDisposeScope();
        var w = tensor(new double[] { 1, 2 });
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => OptimalBrainSurgeon.Saliency(w, ones(2, 3, dtype: float64))).Message);
        Assert.Contains("2×2 for 3 weights", Assert.Throws<ArgumentException>(() => OptimalBrainSurgeon.Saliency(tensor(new double[] { 1, 2, 3 }), eye(2, dtype: float64))).Message);
        Assert.Contains("damping", Assert.Throws<ArgumentException>(() => OptimalBrainSurgeon.Saliency(w, -eye(2, dtype: float64))).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => OptimalBrainSurgeon.Update(tensor(new double[] { double.NaN, 1 }), eye(2, dtype: float64), 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => OptimalBrainSurgeon.Update(w, eye(2, dtype: float64), 2));
        Assert.Contains("one h_kk per weight", Assert.Throws<ArgumentException>(() => OptimalBrainDamage.Saliency(w, ones(3, dtype: float64))).Message);
        Assert.Contains("vector", Assert.Throws<ArgumentException>(() => Hessian.Exact(v => v.sum(), ones(2, 2))).Message);
        Assert.Contains("at most", Assert.Throws<ArgumentException>(() => Hessian.Exact(v => v.sum(), ones(Hessian.MaxParameters + 1))).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => Hessian.Exact(v => v * 2, ones(3))).Message);
    }
}
