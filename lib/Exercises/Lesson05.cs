using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>
/// Checks for the exercises of lesson 05 (first-order Taylor pruning): the Taylor importance of a layer's weights from
/// per-batch gradients, and Molchanov et al.'s normalised channel scores from captured activations and their
/// gradients. Expected values come from plain loops over arrays.
/// </summary>
public static class Lesson05
{
    /// <summary>Exercise 5.1: the mean over batches of |w ⊙ g_b|, of the weight's shape and dtype.</summary>
    public static CheckResult CheckTaylorScores(Func<IReadOnlyList<Tensor>, Tensor, Tensor> taylorScores) =>
        ExerciseCheck.Run("5.1", "the Taylor importance of a layer's weights",
            "For each batch, multiply the weight by that batch's gradient entry by entry and take the absolute value; then average those over the batches. The absolute value comes before the average: at a minimum the signed products cancel.",
            () =>
            {
                foreach (var (name, make) in WeightCases())
                {
                    using var scope = NewDisposeScope();
                    var (gradients, weight) = make();
                    var inputs = gradients.Select((g, i) => ($"gradients[{i}]", g)).Append(("weight", weight)).ToList();
                    var scores = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, inputs, () => taylorScores(gradients, weight)));
                    scores = ExerciseCheck.Shaped(name, "the scores", scores, weight.shape, weight.dtype);
                    var w = ExerciseCheck.Values(weight);
                    var expected = new double[w.Length];
                    foreach (var g in gradients.Select(ExerciseCheck.Values))
                        for (var i = 0; i < w.Length; i++) expected[i] += Math.Abs(w[i] * g[i]) / gradients.Count;
                    var got = ExerciseCheck.Values(scores);
                    for (var i = 0; i < w.Length; i++)
                        if (Math.Abs(got[i] - expected[i]) > 1e-5 * Math.Max(1e-3, expected[i]))
                            return (false, $"case '{name}': weight {i} scores {ExerciseCheck.Text(got[i])}; the mean over batches of |w·g| is {ExerciseCheck.Text(expected[i])}.");
                }
                return (true, $"{WeightCases().Count()} cases match: one and several batches, gradients that change sign between batches.");
            });

    /// <summary>
    /// Exercise 5.2: per channel, the mean over all examples of |mean over positions of a·∂ℓ/∂a|, divided by the L2
    /// norm of the layer's scores; a float32 vector.
    /// </summary>
    public static CheckResult CheckChannelScores(Func<IReadOnlyList<(Tensor Activation, Tensor Gradient)>, Tensor> channelScores) =>
        ExerciseCheck.Run("5.2", "Molchanov's normalised channel scores",
            "Per example and channel, average a·∂ℓ/∂a over the positions (there are none after a linear layer), then take the absolute value; average that over every example of every batch; finally divide the layer's scores by their L2 norm.",
            () =>
            {
                foreach (var (name, make) in ChannelCases())
                {
                    using var scope = NewDisposeScope();
                    var captured = make();
                    var channels = captured[0].Activation.shape[1];
                    var inputs = captured.SelectMany((c, i) => new[] { ($"captured[{i}].Activation", c.Activation), ($"captured[{i}].Gradient", c.Gradient) }).ToList();
                    var scores = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, inputs, () => channelScores(captured)));
                    scores = ExerciseCheck.Shaped(name, "the scores", scores, [channels], float32);
                    var expected = Expected(captured, (int)channels);
                    var got = ExerciseCheck.Values(scores);
                    for (var c = 0; c < channels; c++)
                        if (Math.Abs(got[c] - expected[c]) > 1e-5)
                            return (false, $"case '{name}': channel {c} scores {ExerciseCheck.Text(got[c])}; expected {ExerciseCheck.Text(expected[c])}.");
                }
                return (true, $"{ChannelCases().Count()} cases match: linear and convolution outputs, batches of different sizes, signs that cancel across positions.");
            });

    // Plain loops: per example and channel, the mean of a·g over positions, its absolute value, the mean over all
    // examples, then the division by the L2 norm.
    private static double[] Expected(IReadOnlyList<(Tensor Activation, Tensor Gradient)> captured, int channels)
    {
        var sums = new double[channels];
        long examples = 0;
        foreach (var (activation, gradient) in captured)
        {
            var (a, g) = (ExerciseCheck.Values(activation), ExerciseCheck.Values(gradient));
            var n = (int)activation.shape[0];
            var positions = a.Length / (n * channels);
            for (var e = 0; e < n; e++)
                for (var c = 0; c < channels; c++)
                {
                    double mean = 0;
                    for (var p = 0; p < positions; p++)
                    {
                        var i = (e * channels + c) * positions + p;
                        mean += a[i] * g[i] / positions;
                    }
                    sums[c] += Math.Abs(mean);
                }
            examples += n;
        }
        var scores = sums.Select(s => s / examples).ToArray();
        var norm = Math.Sqrt(scores.Sum(s => s * s));
        return norm > 0 ? scores.Select(s => s / norm).ToArray() : scores;
    }

    private static IEnumerable<(string Name, Func<(List<Tensor> Gradients, Tensor Weight)> Make)> WeightCases()
    {
        yield return ("hand-written: two batches whose gradients flip sign", () =>
            ([tensor(new float[] { 1, -2, 0.5f, 0 }).reshape(2, 2), tensor(new float[] { -1, 2, 0.5f, 3 }).reshape(2, 2)],
             tensor(new float[] { 2, 1, -4, 1 }).reshape(2, 2)));
        yield return ("one batch, weight [3, 4]", () =>
        {
            using var g = new Generator(51);
            return ([randn(3, 4, generator: g)], randn(3, 4, generator: g));
        });
        yield return ("three batches, weight [5, 2]", () =>
        {
            using var g = new Generator(52);
            return ([randn(5, 2, generator: g), randn(5, 2, generator: g), randn(5, 2, generator: g)], randn(5, 2, generator: g));
        });
    }

    private static IEnumerable<(string Name, Func<List<(Tensor Activation, Tensor Gradient)>> Make)> ChannelCases()
    {
        yield return ("linear outputs: two batches of 3 and 2 examples, 4 channels", () =>
        {
            using var g = new Generator(53);
            return [(randn(3, 4, generator: g), randn(3, 4, generator: g)), (randn(2, 4, generator: g), randn(2, 4, generator: g))];
        });
        yield return ("convolution outputs [2, 3, 2, 2]: products of both signs over each channel's positions", () =>
        {
            using var g = new Generator(54);
            return [(randn(2, 3, 2, 2, generator: g), randn(2, 3, 2, 2, generator: g))];
        });
        yield return ("one batch of 5 examples, 6 channels", () =>
        {
            using var g = new Generator(55);
            return [(rand(5, 6, generator: g), randn(5, 6, generator: g))];
        });
    }

}
