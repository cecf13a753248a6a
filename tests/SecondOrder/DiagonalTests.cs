using PruningLab.SecondOrder;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PruningLab.Tests.SecondOrder;

/// <summary>
/// The three diagonals of lesson 06 against independent truths: the exact one against central differences of the
/// gradient; Hutchinson's estimate against the exact one as samples grow; the empirical Fisher of a softmax
/// regression, on labels drawn from the model itself, against its exact Hessian (there the Fisher is the Hessian's
/// expectation, so the two meet as samples grow).
/// </summary>
public class DiagonalTests(ITestOutputHelper output)
{
    // A tiny smooth network 4-5-3 (tanh), float64, with cross-entropy on 30 random samples.
    private sealed class Tiny : IDisposable
    {
        public Tiny(int seed)
        {
            using var g = new Generator((ulong)seed);
            W1 = (randn(5, 4, dtype: float64, generator: g) * 0.8).requires_grad_(true);
            B1 = (randn(5, dtype: float64, generator: g) * 0.1).requires_grad_(true);
            W2 = (randn(3, 5, dtype: float64, generator: g) * 0.8).requires_grad_(true);
            X = randn(30, 4, dtype: float64, generator: g);
            Y = randint(0, 3, [30], generator: g);
        }
        public Tensor W1 { get; }
        public Tensor B1 { get; }
        public Tensor W2 { get; }
        public Tensor X { get; }
        public Tensor Y { get; }
        public IReadOnlyList<Tensor> Parameters => [W1, B1, W2];
        public Tensor Loss() => nn.functional.cross_entropy(tanh(X.matmul(W1.T) + B1).matmul(W2.T), Y);
        public void Dispose() { foreach (var t in new[] { W1, B1, W2, X, Y }) t.Dispose(); }
    }

    private static Tensor Flat(IEnumerable<Tensor> parts) => cat(parts.Select(p => p.flatten()).ToList());

    [Fact]
    public void The_exact_diagonal_matches_central_differences_of_the_gradient()
    {
        using var scope = NewDisposeScope();
        using var tiny = new Tiny(1);
        var exact = Flat(HessianDiagonal.Exact(tiny.Loss, tiny.Parameters));
        const double eps = 1e-5;
        var k = 0;
        foreach (var p in tiny.Parameters)
            for (var i = 0; i < p.numel(); i++, k++)
            {
                double GradientAt(double shift)
                {
                    using (no_grad()) p.view(-1)[i] += shift;
                    var g = autograd.grad([tiny.Loss()], [p])[0].view(-1)[i].item<double>();
                    using (no_grad()) p.view(-1)[i] -= shift;
                    return g;
                }
                var difference = (GradientAt(eps) - GradientAt(-eps)) / (2 * eps);
                Assert.Equal(difference, exact[k].item<double>(), 6);
            }
    }

    [Fact]
    public void Hutchinson_converges_to_the_exact_diagonal_as_samples_grow()
    {
        using var scope = NewDisposeScope();
        using var tiny = new Tiny(2);
        var exact = Flat(HessianDiagonal.Exact(tiny.Loss, tiny.Parameters));
        double Error(int samples) =>
            ((Flat(HessianDiagonal.Hutchinson(tiny.Loss, tiny.Parameters, samples, seed: 3)) - exact).norm() / exact.norm()).item<double>();
        var errors = new[] { 10, 100, 1000 }.ToDictionary(s => s, Error);
        output.WriteLine(string.Join(", ", errors.Select(e => $"{e.Key} samples: relative error {e.Value:F3}")));
        // Measured here: 0.531, 0.134, 0.049 — about 1/√samples, as the estimator's variance says.
        Assert.True(errors[100] < errors[10] && errors[1000] < errors[100]);
        Assert.True(errors[1000] < 0.1, $"relative error {errors[1000]:F3} with 1,000 samples");
    }

    [Fact]
    public void The_empirical_Fisher_of_a_softmax_regression_meets_its_Hessian_on_labels_drawn_from_the_model()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(4);
        const int n = 3000;
        var w = (randn(3, 4, dtype: float64, generator: g) * 0.7).requires_grad_(true);
        var x = randn(n, 4, dtype: float64, generator: g);
        Tensor labels;
        using (no_grad()) labels = multinomial(softmax(x.matmul(w.T), 1), 1, generator: g).squeeze(1);
        var hessian = HessianDiagonal.Exact(() => nn.functional.cross_entropy(x.matmul(w.T), labels), [w])[0];
        var fisher = HessianDiagonal.EmpiricalFisher(i => nn.functional.cross_entropy(x[i].unsqueeze(0).matmul(w.T), labels[i].unsqueeze(0)), n, [w])[0];
        var error = ((fisher - hessian).norm() / hessian.norm()).item<double>();
        output.WriteLine($"relative error of the empirical Fisher diagonal, {n} samples: {error:F3}");
        Assert.True(error < 0.1, $"relative error {error:F3}");   // measured here: 0.034
        // With labels the model does not predict (shuffled), the empirical Fisher is no longer the Hessian.
        var shuffled = labels.index_select(0, randperm(n, generator: g));
        var wrong = HessianDiagonal.EmpiricalFisher(i => nn.functional.cross_entropy(x[i].unsqueeze(0).matmul(w.T), shuffled[i].unsqueeze(0)), n, [w])[0];
        var shuffledHessian = HessianDiagonal.Exact(() => nn.functional.cross_entropy(x.matmul(w.T), shuffled), [w])[0];
        Assert.True(((wrong - shuffledHessian).norm() / shuffledHessian.norm()).item<double>() > 2 * error);
    }

    [Fact]
    public void Estimators_refuse_bad_input()
    {
        using var tiny = new Tiny(5);
        Assert.Throws<ArgumentOutOfRangeException>(() => HessianDiagonal.Hutchinson(tiny.Loss, tiny.Parameters, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => HessianDiagonal.EmpiricalFisher(_ => tiny.Loss(), 0, tiny.Parameters));
        Assert.Contains("requires_grad", Assert.Throws<ArgumentException>(() => HessianDiagonal.Hutchinson(tiny.Loss, [tiny.X], 5)).Message);
    }

    [Fact]
    public void The_Hessian_vector_product_of_a_quadratic_is_A_times_v_without_forming_A()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(9);
        var m = randn(4, 4, dtype: float64, generator: g);
        var a = m.matmul(m.T);                                  // L(w) = ½ wᵀAw + bᵀw has Hessian A everywhere
        var b = randn(4, dtype: float64, generator: g);
        var w = randn(2, 2, dtype: float64, generator: g).requires_grad_(true);
        var product = Hessian.VectorProduct(() => 0.5 * w.flatten().dot(a.matmul(w.flatten())) + b.dot(w.flatten()), w);
        for (var k = 0; k < 3; k++)
        {
            var v = randn(2, 2, dtype: float64, generator: g);
            Assert.True((product(v).flatten() - a.matmul(v.flatten())).abs().max().item<double>() < 1e-12);
        }
        Assert.Contains("v has shape [4]", Assert.Throws<ArgumentException>(() => product(ones(4, dtype: float64))).Message);
    }
}
