using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>Checks for the exercises of lesson 01 (fine-grained magnitude pruning).</summary>
public static class Lesson01
{
    /// <summary>Fixed tensors shared by the checks of exercises 1.1–1.3 and their unit tests.</summary>
    public static IReadOnlyList<(string Name, Func<Tensor> Weights)> Tensors { get; } =
    [
        ("2×4 tensor", () => tensor(new float[,] { { 0.5f, -0.1f, 0.3f, -0.8f }, { 0.05f, 0.9f, -0.2f, 0.01f } })),
        ("ties", () => tensor(new float[] { 1f, -1f, 1f, -1f, 2f, 0f })),
        ("already sparse 3×5", () => tensor(new float[,] { { 0f, 1f, 0f, 0f, 2f }, { 0f, 0f, 0f, 0f, 0f }, { 3f, 0f, -4f, 0f, 5f } })),
        ("40×25 random", () => randn(40, 25, generator: new Generator(11))),
    ];

    private static IEnumerable<(string, Func<(Tensor, double)>)> MaskCases() =>
        Tensors.SelectMany(t => new[] { 0.0, 0.25, 0.5, 0.9, 1.0 }.Select(s => ($"{t.Name}, sparsity {s}", (Func<(Tensor, double)>)(() => (t.Weights(), s)))));

    /// <summary>Exercise 1.1: the learner's fine-grained magnitude mask against <see cref="MagnitudePruning.Mask"/>.</summary>
    public static CheckResult CheckMagnitudeMask(Func<Tensor, double, Tensor> magnitudeMask) =>
        ExerciseCheck.Compare<(Tensor W, double S), float[]>("Exercise 1.1 (fine-grained magnitude mask)", MaskCases(),
            c => magnitudeMask(c.W, c.S).detach().to(float32).flatten().data<float>().ToArray(),
            c => MagnitudePruning.Mask(c.W, c.S).flatten().data<float>().ToArray(),
            (a, e) => a.SequenceEqual(e),
            "Return a float tensor of the weights' shape: 0 for the k = round(sparsity × n) smallest |w| (ties: earlier entry first), 1 elsewhere. " +
            "`weights.abs().flatten().sort(stable: true)` gives the order; start from `ones_like(weights)`.",
            Describe);

    /// <summary>Exercise 1.2: the learner's sparsity (fraction of zeros) against <see cref="MagnitudePruning.Sparsity"/>.</summary>
    public static CheckResult CheckSparsity(Func<Tensor, double> sparsity) =>
        ExerciseCheck.Compare<Tensor, double>("Exercise 1.2 (sparsity of a layer)", Tensors.Select(t => (t.Name, t.Weights)),
            sparsity, MagnitudePruning.Sparsity, (a, e) => Math.Abs(a - e) < 1e-9,
            "Sparsity = (number of entries equal to 0) / (number of entries). `weights.eq(0).sum().item<long>()` and `weights.numel()`; divide as doubles.");

    /// <summary>Exercise 1.3: the learner's CSR storage bytes against <see cref="LayerSparsity.CsrBytes"/>.</summary>
    public static CheckResult CheckCsrBytes(Func<Tensor, long> csrBytes) =>
        ExerciseCheck.Compare<Tensor, long>("Exercise 1.3 (CSR storage bytes)", Tensors.Where(t => t.Weights().dim() == 2).Select(t => (t.Name, t.Weights)),
            csrBytes, w => new LayerSparsity("w", w.shape, w.numel() - w.count_nonzero().item<long>()).CsrBytes, (a, e) => a == e,
            "CSR stores, as 4-byte numbers: one value and one column index per non-zero, and rows + 1 row pointers. Bytes = 4·nnz + 4·nnz + 4·(rows + 1).");

    /// <summary>
    /// Exercise 1.4: the learner chooses per-layer sparsities from a sensitivity scan. Passes when pruning the model
    /// with them (no retraining) reaches at least <paramref name="targetSparsity"/> overall while losing at most
    /// <paramref name="maxDrop"/> accuracy (absolute, 0.03 = three points) against the dense model.
    /// </summary>
    public static CheckResult CheckChosenSparsities(Func<IReadOnlyDictionary<string, double>> choose, nn.Module<Tensor, Tensor> dense, ImageDataset test,
        double targetSparsity = 0.80, double maxDrop = 0.03) =>
        ExerciseCheck.Run("Exercise 1.4 (per-layer sparsities from the sensitivity scan)",
            "The overall sparsity is mostly fc1's (88 % of the weights), while fc2 and fc3 tolerate more pruning on their own. " +
            "SensitivityScan.MaxSparsityWithin(scan, dense accuracy, drop) gives, per layer, the largest sparsity within a drop; " +
            "the layers' losses add up when they are pruned together.",
            () =>
            {
                var choice = ExerciseCheck.Learner(null, choose);
                var baseline = Evaluator.Accuracy(dense, test);
                using var copy = ModelZoo.Copy(dense);
                using var masks = ModelMasks.For(copy);
                ExerciseCheck.Learner("pruning with your sparsities", () => masks.Prune(Scope.LayerWise(choice)));
                var sparsity = masks.Report().Sparsity;
                var accuracy = Evaluator.Accuracy(copy, test);
                return (sparsity >= targetSparsity && accuracy >= baseline - maxDrop,
                    $"overall sparsity {sparsity:P1} (target ≥ {targetSparsity:P0}), accuracy {accuracy:P2} vs dense {baseline:P2} (allowed drop {maxDrop * 100:F1} points).");
            });

    private static string Describe(float[] values) =>
        values.Length <= 8 ? $"[{string.Join(", ", values)}]" : $"{values.Count(v => v == 0)} zeros of {values.Length}";
}
