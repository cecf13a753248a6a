using PruningLab.SecondOrder;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PruningLab.Tests.SecondOrder;

/// <summary>
/// Where the quadratic model is only an approximation: a small tanh network trained to a minimum. OBD saliencies must
/// rank the parameters as the brute-force loss increases of zeroing them do, and OBS saliencies as the increases of
/// deleting them and re-minimising the others do, measured by Spearman's rank correlation. And the Woodbury-built
/// inverse of the empirical Fisher equals the directly inverted matrix.
/// </summary>
public class NonlinearTruthTests(ITestOutputHelper output)
{
    // A 4-5-3 tanh network with biases as one flat vector of 43 parameters; cross-entropy plus a small L2 term, so that
    // the minimum is strict and the Hessian there positive definite.
    private sealed class Problem
    {
        public Problem(int seed)
        {
            using var g = new Generator((ulong)seed);
            X = randn(80, 4, dtype: float64, generator: g);
            var teacher = randn(4, 3, dtype: float64, generator: g);
            Y = (X.matmul(teacher) + 0.5 * randn(80, 3, dtype: float64, generator: g)).argmax(1);
            Start = 0.5 * randn(Size, dtype: float64, generator: g);
        }
        public const int Size = 4 * 5 + 5 + 5 * 3 + 3;
        public Tensor X { get; }
        public Tensor Y { get; }
        public Tensor Start { get; }
        public Tensor Loss(Tensor t)
        {
            var w1 = t.narrow(0, 0, 20).reshape(5, 4);
            var b1 = t.narrow(0, 20, 5);
            var w2 = t.narrow(0, 25, 15).reshape(3, 5);
            var b2 = t.narrow(0, 40, 3);
            var logits = tanh(X.matmul(w1.T) + b1).matmul(w2.T) + b2;
            return nn.functional.cross_entropy(logits, Y) + 1e-3 * t.pow(2).sum();
        }
        public double Value(Tensor t) { using (no_grad()) return Loss(t).item<double>(); }

        // Newton's method with the exact Hessian, safeguarded: a step that does not lower the loss is replaced by
        // gradient steps.
        public Tensor Newton(Tensor from, int iterations)
        {
            var t = from.detach().clone();
            for (var i = 0; i < iterations; i++)
            {
                using var scope = NewDisposeScope();
                var leaf = t.detach().requires_grad_(true);
                var gradient = autograd.grad([Loss(leaf)], [leaf])[0];
                if (gradient.norm().item<double>() < 1e-12) break;
                var hessian = Hessian.Exact(Loss, t);
                var step = linalg.solve(hessian, gradient);
                if (step.dot(gradient).item<double>() > 0 && Value(t - step) < Value(t)) t.sub_(step);
                else t.copy_(Minimise(t, 100));
            }
            return t;
        }

        // Gradient descent with momentum, to get near the minimum; parameters where `free` is 0 do not move.
        public Tensor Minimise(Tensor from, int steps, Tensor? free = null)
        {
            var t = from.detach().clone();
            var velocity = zeros_like(t);
            for (var i = 0; i < steps; i++)
            {
                using var scope = NewDisposeScope();
                var leaf = t.detach().requires_grad_(true);
                var gradient = autograd.grad([Loss(leaf)], [leaf])[0];
                if (free is not null) gradient.mul_(free);
                velocity.mul_(0.9).add_(gradient);
                t.sub_(0.2 * velocity);
            }
            return t;
        }

        // The minimum over the parameters other than `q`, with parameter q held at zero: the brute-force truth of
        // what deleting q costs once the others have moved to make up for it. Newton on the free parameters only.
        public Tensor MinimiseWithout(Tensor from, long q)
        {
            var free = ones(Size, dtype: float64);
            free[q] = 0;
            var start = from.detach().clone();
            start[q] = 0;
            var t = Minimise(start, 300, free);
            var index = free.nonzero().flatten();
            for (var i = 0; i < 12; i++)
            {
                using var scope = NewDisposeScope();
                var leaf = t.detach().requires_grad_(true);
                var gradient = autograd.grad([Loss(leaf)], [leaf])[0].index_select(0, index);
                if (gradient.norm().item<double>() < 1e-12) break;
                var hessian = Hessian.Exact(Loss, t).index_select(0, index).index_select(1, index);
                var step = zeros(Size, dtype: float64).index_copy_(0, index, linalg.solve(hessian, gradient));
                if (step.dot(zeros(Size, dtype: float64).index_copy_(0, index, gradient)).item<double>() > 0 && Value(t - step) < Value(t)) t.sub_(step);
                else t.copy_(Minimise(t, 100, free));
            }
            return t;
        }
    }

    private static double Spearman(double[] a, double[] b)
    {
        static double[] Ranks(double[] v)
        {
            var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
            var ranks = new double[v.Length];
            for (var r = 0; r < order.Length; r++) ranks[order[r]] = r;
            return ranks;
        }
        var (ra, rb) = (Ranks(a), Ranks(b));
        var (ma, mb) = (ra.Average(), rb.Average());
        var cov = ra.Zip(rb).Sum(p => (p.First - ma) * (p.Second - mb));
        return cov / Math.Sqrt(ra.Sum(x => (x - ma) * (x - ma)) * rb.Sum(x => (x - mb) * (x - mb)));
    }

    [Fact]
    public void OBD_ranks_weights_as_the_brute_force_loss_increase_of_zeroing_them()
    {
        using var scope = NewDisposeScope();
        var p = new Problem(7);
        var minimum = p.Newton(p.Minimise(p.Start, 1000), 8);
        var leaf = minimum.detach().requires_grad_(true);
        var gradientNorm = autograd.grad([p.Loss(leaf)], [leaf])[0].norm().item<double>();
        Assert.True(gradientNorm < 1e-9, $"not at a minimum: gradient norm {gradientNorm:G3}");
        var hessian = Hessian.Exact(p.Loss, minimum);
        var obd = OptimalBrainDamage.Saliency(minimum, hessian.diagonal()).data<double>().ToArray();
        var baseLoss = p.Value(minimum);
        var zeroed = Enumerable.Range(0, Problem.Size).Select(k =>
        {
            var without = minimum.clone();
            without[k] = 0;
            return p.Value(without) - baseLoss;
        }).ToArray();
        var rank = Spearman(obd, zeroed);
        output.WriteLine($"Spearman rank correlation, OBD saliency vs the loss increase of zeroing each of {Problem.Size} parameters: {rank:F3}");
        Assert.True(rank > 0.9, $"OBD vs zeroing: {rank:F3} (measured here: 0.963)");
        // The quadratic model is not exact here: the saliencies and the increases differ, though they rank alike.
        Assert.True(obd.Zip(zeroed).Any(pair => Math.Abs(pair.First - pair.Second) > 1e-3 * Math.Abs(pair.Second)));
    }

    [Fact]
    public void OBS_ranks_weights_as_the_brute_force_loss_increase_of_deleting_them_and_retraining_the_rest()
    {
        using var scope = NewDisposeScope();
        var p = new Problem(7);
        var minimum = p.Newton(p.Minimise(p.Start, 1000), 8);
        var inverse = linalg.inv(Hessian.Exact(p.Loss, minimum));
        var obs = OptimalBrainSurgeon.Saliency(minimum, inverse).data<double>().ToArray();
        var obd = OptimalBrainDamage.Saliency(minimum, Hessian.Exact(p.Loss, minimum).diagonal()).data<double>().ToArray();
        var baseLoss = p.Value(minimum);
        var retrained = Enumerable.Range(0, Problem.Size).Select(q => p.Value(p.MinimiseWithout(minimum, q)) - baseLoss).ToArray();
        var rank = Spearman(obs, retrained);
        var obdRank = Spearman(obd, retrained);
        // The output layer's 18 parameters (w2, b2): given the hidden layer the loss is convex in them, and nearly quadratic.
        var outputRank = Spearman(obs[25..], retrained[25..]);
        output.WriteLine($"Spearman rank correlation with the loss increase of deleting each of {Problem.Size} parameters and re-minimising the others: " +
                         $"OBS {rank:F3}, OBD {obdRank:F3}; OBS on the output layer's 18: {outputRank:F3}");
        // Measured here: 0.773, 0.647 and 1.000. The hidden layer's weights are large (up to 3.5), the quadratic model is
        // rough there, and deleting some of them lets the re-minimisation reach another, lower minimum (two increases are negative).
        Assert.True(rank > 0.7, $"OBS vs deleting and re-minimising: {rank:F3}");
        Assert.True(outputRank > 0.95, $"OBS vs deleting and re-minimising, output layer: {outputRank:F3}");
        // OBS models the re-minimisation that OBD ignores, so it ranks that truth better.
        Assert.True(rank > obdRank + 0.05, $"OBS {rank:F3} vs OBD {obdRank:F3}");
    }

    [Fact]
    public void The_Woodbury_built_Fisher_inverse_equals_the_inverted_matrix()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(8);
        var gradients = randn(30, 12, dtype: float64, generator: g);   // fewer samples than weights, as is usual
        const double damping = 1e-2;
        var direct = linalg.inv(damping * eye(12, dtype: float64) + gradients.T.matmul(gradients) / 30);
        var built = FisherInverse.Of(gradients, damping);
        Assert.True(((built - direct).abs().max() / direct.abs().max()).item<double>() < 1e-9);
        // Seven samples per step (the last step has two): the same inverse.
        var blocked = FisherInverse.Of(gradients, damping, samplesPerStep: 7);
        Assert.True(((blocked - direct).abs().max() / direct.abs().max()).item<double>() < 1e-9);
        Assert.Throws<ArgumentOutOfRangeException>(() => FisherInverse.Of(gradients, 0));
        Assert.Contains("[samples, weights]", Assert.Throws<ArgumentException>(() => FisherInverse.Of(ones(3), 0.1)).Message);
    }
}
