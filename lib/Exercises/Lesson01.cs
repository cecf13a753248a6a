using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>Checks for the exercises of lesson 01 (fine-grained magnitude pruning).</summary>
public static class Lesson01
{
    /// <summary>The layers of exercise 1.1: hand-written ones and a seeded random one with zeroed rows.</summary>
    public static IReadOnlyList<(string Name, Func<NeuronLayer> Layer)> DeadNeuronCases { get; } =
    [
        ("3 neurons, neuron 1 dead with bias 0.7", () => new NeuronLayer(
            tensor(new float[,] { { 1, -2 }, { 0, 0 }, { 0.5f, 0 } }), tensor(new[] { 0.1f, 0.7f, -0.3f }),
            tensor(new float[,] { { 1, 2, 3 }, { -1, 0.5f, 2 } }), tensor(new[] { 0.2f, -0.4f }))),
        ("3 neurons, neuron 0 dead with bias −0.5", () => new NeuronLayer(
            tensor(new float[,] { { 0, 0 }, { 1, 1 }, { 0.5f, 0 } }), tensor(new[] { -0.5f, 0.2f, 0.3f }),
            tensor(new float[,] { { 1, 2, 3 }, { -1, 0.5f, 2 } }), tensor(new[] { 0.2f, -0.4f }))),
        ("no dead neuron", () => new NeuronLayer(
            tensor(new float[,] { { 1, 0 }, { 0, 2 } }), tensor(new[] { 0.3f, 0.4f }),
            tensor(new float[,] { { 1, 1 } }), tensor(new[] { 0f }))),
        ("20 neurons, 6 dead", () =>
        {
            using var g = new Generator(seed: 21);
            var weightIn = randn(20, 30, generator: g);
            weightIn.index_fill_(0, tensor(new long[] { 1, 4, 7, 8, 15, 19 }), 0);
            return new NeuronLayer(weightIn, randn(20, generator: g), randn(5, 20, generator: g), randn(5, generator: g));
        }),
    ];

    /// <summary>
    /// Exercise 1.1: the learner removes the dead neurons of a ReLU layer. The answer must zero each dead neuron's bias
    /// and outgoing weights, fold its constant output into the next bias, leave every input unchanged, and compute the
    /// same function as before.
    /// </summary>
    public static CheckResult CheckRemoveDeadNeurons(Func<Tensor, Tensor, Tensor, Tensor, (Tensor WeightIn, Tensor BiasIn, Tensor WeightOut, Tensor BiasOut)> remove) =>
        ExerciseCheck.Run("1.1", "remove dead neurons",
            "A neuron whose incoming weights are all zero outputs the same number for every input. Which number, and where does it go?",
            () =>
            {
                foreach (var (name, make) in DeadNeuronCases)
                {
                    using var scope = NewDisposeScope();
                    var layer = make();
                    var expected = DeadNeurons.Remove(layer);
                    var (wIn, bIn, wOut, bOut) = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name,
                        [("weightIn", layer.WeightIn), ("biasIn", layer.BiasIn), ("weightOut", layer.WeightOut), ("biasOut", layer.BiasOut)],
                        () => remove(layer.WeightIn, layer.BiasIn, layer.WeightOut, layer.BiasOut)), ReferenceUse.DeadNeurons);
                    foreach (var (what, answer, want) in new[] { ("weightIn", wIn, expected.WeightIn), ("biasIn", bIn, expected.BiasIn),
                                 ("weightOut", wOut, expected.WeightOut), ("biasOut", bOut, expected.BiasOut) })
                    {
                        ExerciseCheck.Shaped(name, what, answer, want.shape, want.dtype);
                        if (!ExerciseCheck.Equal(answer, want, 1e-5))
                            return (false, $"case '{name}': {what} should be {ExerciseCheck.Describe(want)}, got {ExerciseCheck.Describe(answer)}.");
                    }
                    var change = OutputChange(layer, new NeuronLayer(wIn, bIn, wOut, bOut));
                    if (change > 1e-4)
                        return (false, $"case '{name}': the network's output changed by up to {change:G3}; removing a neuron must not change what the network computes.");
                }
                return (true, $"{DeadNeuronCases.Count} layers: dead neurons gone with their bias and outgoing weights, outputs unchanged.");
            });

    /// <summary>The largest change of W_out·relu(W_in·x + b_in) + b_out over a fixed batch of random inputs.</summary>
    public static double OutputChange(NeuronLayer before, NeuronLayer after)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(seed: 5);
        var x = randn(16, before.WeightIn.shape[1], generator: g);
        Tensor Forward(NeuronLayer l) => nn.functional.relu(x.matmul(l.WeightIn.detach().t()) + l.BiasIn.detach()).matmul(l.WeightOut.detach().t()) + l.BiasOut.detach();
        return (Forward(before) - Forward(after)).abs().max().item<float>();
    }

    /// <summary>The layer sets of exercise 1.2: hand-written ones (see the lesson) and layers of different scales.</summary>
    public static IReadOnlyList<(string Name, Func<(Dictionary<string, Tensor> Weights, double Sparsity)> Input)> GlobalCases { get; } =
    [
        ("two layers, half", () => (new Dictionary<string, Tensor>
        {
            ["fc1"] = tensor(new float[,] { { 0.5f, -0.1f, 0.3f, -0.8f }, { 0.05f, 0.9f, -0.2f, 0.01f } }),
            ["fc2"] = tensor(new float[,] { { 0.4f, -0.02f }, { 0.6f, 0.15f }, { -0.07f, 1.0f } }),
        }, 0.5)),
        ("ties across layers: the earlier layer first", () => (new Dictionary<string, Tensor>
        {
            ["a"] = tensor(new float[] { 1, 2, -1 }), ["b"] = tensor(new float[,] { { -1, 3 }, { 1, 0.5f } }),
        }, 0.5)),
        ("three layers of different scales, 80%", () =>
        {
            using var g = new Generator(seed: 12);
            return (new Dictionary<string, Tensor>
            {
                ["fc1"] = randn(40, 30, generator: g) * 0.05, ["fc2"] = randn(20, 40, generator: g) * 0.2, ["fc3"] = randn(10, 20, generator: g),
            }, 0.8);
        }),
    ];

    /// <summary>Exercise 1.2: the learner's global magnitude masks (one threshold across tensors).</summary>
    public static CheckResult CheckGlobalMasks(Func<IReadOnlyDictionary<string, Tensor>, double, IReadOnlyDictionary<string, Tensor>> globalMasks) =>
        ExerciseCheck.Run("1.2", "one global threshold",
            "Rank every weight of every layer together, as if they were one long vector: the prune count and the threshold are shared.",
            () =>
            {
                foreach (var (name, input) in GlobalCases)
                {
                    using var scope = NewDisposeScope();
                    var (weights, sparsity) = input();
                    var expected = MagnitudePruning.GlobalMasks(weights, sparsity);
                    var answer = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, weights.Select(p => (p.Key, p.Value)).ToList(),
                        () => globalMasks(weights, sparsity)), ReferenceUse.Pruning);
                    if (answer is null || !answer.Keys.OrderBy(k => k).SequenceEqual(weights.Keys.OrderBy(k => k)))
                        return (false, $"case '{name}': return one mask per layer, under the layers' names ({string.Join(", ", weights.Keys)}).");
                    foreach (var (layer, want) in expected)
                    {
                        ExerciseCheck.Shaped(name, $"the mask of '{layer}'", answer[layer], want.shape, float32);
                        if (!ExerciseCheck.Equal(answer[layer], want))
                            return (false, $"case '{name}', layer '{layer}': expected {ExerciseCheck.Describe(want)}, got {ExerciseCheck.Describe(answer[layer])}.");
                    }
                }
                return (true, $"{GlobalCases.Count} cases match (masks, shapes, float32; inputs left unchanged).");
            });

    /// <summary>The cases of exercise 1.3: (weight, index bits, value bits).</summary>
    public static IReadOnlyList<(string Name, Func<(Tensor Weight, int IndexBits, int ValueBits)> Input)> RelativeIndexCases { get; } =
    [
        ("Deep Compression's example: 3-bit gaps, non-zeros at 1, 4, 15", () =>
            (tensor(new float[] { 0, 3.4f, 0, 0, 0.9f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.7f }), 3, 32)),
        ("nothing stored", () => (zeros(4, 5), 5, 32)),
        ("every weight non-zero", () => (ones(2, 3), 5, 32)),
        ("gap of exactly 2^k, then 2^k + 1 (k = 2)", () => (tensor(new float[] { 0, 0, 0, 1, 0, 0, 0, 0, 2 }), 2, 8)),
        ("rows continue into each other", () => (tensor(new float[,] { { 0, 0, 0, 5 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 7, 0, 0, 0 } }), 2, 16)),
        ("300×100, 90 % pruned, 5 bits", () =>
        {
            using var g = new Generator(seed: 13);
            var w = randn(300, 100, generator: g);
            return (w * MagnitudePruning.Mask(w, 0.9), 5, 32);
        }),
    ];

    /// <summary>
    /// Further cases of exercise 1.3 for an instructor's hidden check (lesson 01 has one; the release leaves it out):
    /// a 4-D float64 kernel with 4-bit gaps, and 1-bit gaps where every gap overflows.
    /// </summary>
    public static IReadOnlyList<(string Name, Func<(Tensor Weight, int IndexBits)> Input)> MoreRelativeIndexCases { get; } =
    [
        ("a 4-D float64 kernel, 80 % pruned, 4-bit gaps", () =>
        {
            using var g = new Generator(seed: 31);
            var kernel = randn([4, 3, 3, 3], dtype: float64, generator: g);
            return (kernel * MagnitudePruning.Mask(kernel, 0.8), 4);
        }),
        ("1-bit gaps: every gap overflows", () => (tensor(new double[] { 0, 0, 0, 0, 0, 1 }), 1)),
    ];

    /// <summary>Exercise 1.3: the learner's size in bits of Deep Compression's relative-index storage.</summary>
    public static CheckResult CheckRelativeIndexBits(Func<Tensor, int, int, long> relativeIndexBits) =>
        ExerciseCheck.Run("1.3", "relative indices with filler zeros",
            "Walk through the flattened weight and measure the gap from one stored entry to the next. What if a gap does not fit in k bits?",
            () =>
            {
                foreach (var (name, input) in RelativeIndexCases)
                {
                    using var scope = NewDisposeScope();
                    var (weight, indexBits, valueBits) = input();
                    var expected = SparseStorage.RelativeIndex(weight, indexBits, valueBits);
                    var answer = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, [("weight", weight)],
                        () => relativeIndexBits(weight, indexBits, valueBits)), ReferenceUse.Storage);
                    if (answer != expected.Bits)
                        return (false, $"case '{name}': expected {expected.Bits} bits ({expected.Entries} entries of {indexBits} + {valueBits} bits, {expected.Fillers} of them fillers), got {answer}.");
                }
                return (true, $"{RelativeIndexCases.Count} cases match, fillers included.");
            });

    /// <summary>
    /// Exercise 1.4: the learner chooses per-layer sparsities (from the sensitivity scan on the validation split). Passes
    /// when pruning the dense model with them, without retraining, reaches at least <paramref name="targetSparsity"/>
    /// overall and beats global magnitude pruning at the same overall sparsity by at least <paramref name="margin"/>
    /// on <paramref name="validation"/>. Test accuracies are printed too, for information only.
    /// </summary>
    public static CheckResult CheckChosenSparsities(Func<IReadOnlyDictionary<string, double>> choose, nn.Module<Tensor, Tensor> dense,
        ImageDataset validation, ImageDataset test, double targetSparsity, double margin) =>
        ExerciseCheck.Run("1.4", "per-layer sparsities that beat global pruning",
            "Global pruning gives each layer the share its small weights dictate. Which layer hurts most per weight removed, and which can carry more?",
            () =>
            {
                var choice = ExerciseCheck.Learner(null, choose);
                using var mine = ModelZoo.Copy(dense);
                using var masks = ModelMasks.For(mine);
                ExerciseCheck.Learner("pruning with your sparsities", () => masks.Prune(Scope.LayerWise(choice)));
                var sparsity = masks.Sparsity;
                using var global = ModelZoo.Copy(dense);
                using (var globalMasks = ModelMasks.For(global)) globalMasks.Prune(Scope.Global(Amount.Exactly(masks.Zeros)));
                var (yours, theirs) = (Evaluator.Accuracy(mine, validation), Evaluator.Accuracy(global, validation));
                var (yoursTest, theirsTest) = (Evaluator.Accuracy(mine, test), Evaluator.Accuracy(global, test));
                var summary = $"sparsity {sparsity:P1} (target ≥ {targetSparsity:P0}); validation accuracy {yours:P2} vs global {theirs:P2} " +
                              $"at the same sparsity (needed: {margin * 100:F1} points better); on the test set {yoursTest:P2} vs {theirsTest:P2}.";
                return (sparsity >= targetSparsity && yours >= theirs + margin, summary);
            });
}
