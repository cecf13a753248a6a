using System.Globalization;
using PruningLab.Structured;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>
/// Checks for the exercises of lesson 03 (granularity): a column mask, a 2:4 mask and the group Lp importance of
/// channels. A mask is judged by what makes it right — its structure, how much it prunes, and that nothing kept
/// scores below anything pruned — so any correct tie-breaking passes.
/// </summary>
public static class Lesson03
{
    /// <summary>Exercise 3.1: prune the <c>round(amount × columns)</c> columns (slices of dimension 1) of smallest L2 norm.</summary>
    public static CheckResult CheckColumnMask(Func<Tensor, double, Tensor> columnMask) =>
        ExerciseCheck.Run("3.1", "a column mask",
            "A column is everything along dimension 1 at one index: one input of a linear layer, one input channel of a convolution. Score each column by its L2 norm; the lowest go, whole.",
            () =>
            {
                foreach (var (name, input, amount) in ColumnCases())
                {
                    using var scope = NewDisposeScope();
                    var weight = input();
                    var columns = weight.shape[1];
                    var prune = (long)Math.Round(amount * columns, MidpointRounding.ToEven);
                    var mask = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, [("weight", weight)], () => columnMask(weight, amount)), ReferenceUse.Granularity);
                    mask = ExerciseCheck.Shaped(name, "the mask", mask, weight.shape, float32);
                    // Per column, from plain arrays: its L2 norm, and whether the mask keeps all of it, none, or a part.
                    var (norms, kept) = (PerColumn(weight, columns, v => v * v), PerColumn(mask, columns, v => v));
                    var size = weight.numel() / columns;
                    if (!mask.eq(0).logical_or(mask.eq(1)).all().item<bool>()) return (false, $"case '{name}': a mask holds only 0 (pruned) and 1 (kept).");
                    if (kept.Any(k => k != 0 && k != size)) return (false, $"case '{name}': a column is pruned whole or kept whole; one of yours is cut in part.");
                    var pruned = Enumerable.Range(0, (int)columns).Where(c => kept[c] == 0).ToList();
                    if (pruned.Count != prune)
                        return (false, $"case '{name}': {amount.ToString(CultureInfo.InvariantCulture)} of {columns} columns is {prune} (rounded to the nearest, as torch does); you pruned {pruned.Count}.");
                    var lowestKept = Enumerable.Range(0, (int)columns).Except(pruned).Select(c => norms[c]).DefaultIfEmpty(double.PositiveInfinity).Min();
                    if (pruned.Any(c => norms[c] > lowestKept * (1 + 1e-9)))
                        return (false, $"case '{name}': you pruned a column whose L2 norm is larger than that of a column you kept.");
                }
                return (true, $"{ColumnCases().Count()} cases match: linear and convolution weights, rounding, ties between equal columns, nothing to prune.");
            });

    /// <summary>Exercise 3.2: in every group of 4 consecutive inputs of a linear weight, keep the 2 largest |w|.</summary>
    public static CheckResult CheckTwoOfFour(Func<Tensor, Tensor> twoOfFour) =>
        ExerciseCheck.Run("3.2", "a 2:4 mask",
            "Cut each row into groups of four consecutive inputs. In each group, the two weights of largest magnitude stay and the other two go: exactly half, in every group.",
            () =>
            {
                foreach (var (name, input) in TwoOfFourCases())
                {
                    using var scope = NewDisposeScope();
                    var weight = input();
                    var mask = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, [("weight", weight)], () => twoOfFour(weight)), ReferenceUse.Granularity);
                    mask = ExerciseCheck.Shaped(name, "the mask", mask, weight.shape, float32);
                    var w = weight.to(float64).abs().data<double>().ToArray();
                    var m = mask.to(float64).data<double>().ToArray();
                    for (var g = 0; g < w.Length / 4; g++)
                    {
                        var group = Enumerable.Range(4 * g, 4).ToList();
                        if (group.Any(i => m[i] != 0 && m[i] != 1)) return (false, $"case '{name}': a mask holds only 0 (pruned) and 1 (kept).");
                        var keptHere = group.Where(i => m[i] == 1).ToList();
                        var where = $"row {g * 4 / weight.shape[1]}, inputs {g * 4 % weight.shape[1]}–{g * 4 % weight.shape[1] + 3}";
                        if (keptHere.Count != 2) return (false, $"case '{name}': the group at {where} keeps {keptHere.Count} weights; 2:4 keeps exactly 2 of every 4.");
                        if (group.Except(keptHere).Any(i => w[i] > keptHere.Min(k => w[k])))
                            return (false, $"case '{name}': at {where} you kept a smaller |w| and pruned a larger one.");
                    }
                }
                return (true, $"{TwoOfFourCases().Count()} cases match: exactly 2 of every 4, the larger ones, ties and negative weights included.");
            });

    /// <summary>Exercise 3.3: per channel, (Σ |w|ᵖ over its filter and the inputs that read it)^(1/p).</summary>
    public static CheckResult CheckChannelScores(Func<Tensor, IReadOnlyList<Tensor>, double, int, Tensor> channelScores) =>
        ExerciseCheck.Run("3.3", "the group Lp importance of channels",
            "A channel's group is its filter (row c of the producer) plus every input that reads it in the next layers (a block of inputs after a flatten). Raise every |w| of the group to the power p, add them all, take the p-th root.",
            () =>
            {
                foreach (var (name, input) in ChannelCases())
                {
                    using var scope = NewDisposeScope();
                    var (producer, consumers, p, block) = input();
                    var inputs = consumers.Select((c, i) => ($"consumers[{i}]", c)).Prepend(("producer", producer)).ToList();
                    var scores = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, inputs, () => channelScores(producer, consumers, p, block)), ReferenceUse.ChannelImportance);
                    var channels = producer.shape[0];
                    if (scores is null || scores.IsInvalid) return (false, $"case '{name}': return a tensor of {channels} scores.");
                    if (!scores.shape.SequenceEqual([channels])) return (false, $"case '{name}': expected {channels} scores, one per channel; got shape [{string.Join(",", scores.shape)}].");
                    var expected = Expected(producer, consumers, p, block);
                    var got = scores.to(float64).data<double>().ToArray();
                    for (var c = 0; c < channels; c++)
                        if (Math.Abs(got[c] - expected[c]) > 1e-4 * Math.Max(1, expected[c]))
                            return (false, $"case '{name}': channel {c} scores {got[c]:G6}; expected {expected[c]:G6}.");
                }
                return (true, $"{ChannelCases().Count()} cases match: L1 and L2, one and two consumers, blocks of inputs after a flatten.");
            });

    /// <summary>The learner's exercise 3.3 as a channel criterion (p = 2), for the lesson's channel-pruning curve.</summary>
    public static IChannelImportance AsCriterion(Func<Tensor, IReadOnlyList<Tensor>, double, int, Tensor> channelScores) =>
        ChannelImportance.FromWeights((producer, consumers, block) => channelScores(producer, consumers, 2, block), "L2 over the coupled group (yours)");

    // Σ f(v) over each column's entries (dimension 1), from a plain array.
    private static double[] PerColumn(Tensor t, long columns, Func<double, double> f)
    {
        var values = t.detach().to(float64).contiguous().data<double>().ToArray();
        var inner = t.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        var sums = new double[columns];
        for (var i = 0; i < values.Length; i++) sums[i / inner % columns] += f(values[i]);
        return sums;
    }

    // An independent route: loops over plain arrays, channel by channel.
    private static double[] Expected(Tensor producer, IReadOnlyList<Tensor> consumers, double p, int block)
    {
        var channels = (int)producer.shape[0];
        var sums = new double[channels];
        var filters = producer.to(float64).contiguous().data<double>().ToArray();
        var perFilter = filters.Length / channels;
        for (var i = 0; i < filters.Length; i++) sums[i / perFilter] += Math.Pow(Math.Abs(filters[i]), p);
        foreach (var consumer in consumers)
        {
            var values = consumer.to(float64).contiguous().data<double>().ToArray();
            var inner = consumer.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
            var inputs = consumer.shape[1];
            for (var i = 0; i < values.Length; i++) sums[i / inner % inputs / block] += Math.Pow(Math.Abs(values[i]), p);
        }
        return sums.Select(s => Math.Pow(s, 1 / p)).ToArray();
    }

    private static IEnumerable<(string Name, Func<Tensor> Weight, double Amount)> ColumnCases()
    {
        yield return ("hand-written linear [2, 4]: columns of norm 5, 1, 10, 2; prune half", () => tensor(new float[] { 3, 1, 6, 0, 4, 0, 8, 2 }).reshape(2, 4), 0.5);
        yield return ("linear [5, 10], prune 0.3", () => randn(5, 10, generator: new Generator(31)), 0.3);
        yield return ("linear [4, 7], prune half: 3.5 columns, rounded to 4", () => randn(4, 7, generator: new Generator(30)), 0.5);
        yield return ("convolution [4, 6, 3, 3], prune a third", () => randn(4, 6, 3, 3, generator: new Generator(32)), 1 / 3.0);
        yield return ("tie: columns 1 and 4 equal, prune 1 of 6", () =>
        {
            var tied = randn(3, 6, generator: new Generator(33));
            tied[TensorIndex.Colon, 4] = tied[TensorIndex.Colon, 1];   // two equal columns: either may go
            return tied;
        }, 1 / 6.0);
        yield return ("nothing to prune: amount 0", () => randn(3, 5, generator: new Generator(34)), 0);
    }

    private static IEnumerable<(string Name, Func<Tensor> Weight)> TwoOfFourCases()
    {
        yield return ("hand-written [1, 8]: (1, −5, 3, 0.5), (−2, 0.1, 0.2, 4)", () => tensor(new float[] { 1, -5, 3, 0.5f, -2, 0.1f, 0.2f, 4 }).reshape(1, 8));
        yield return ("ties: (0, 0, 0, 2), (7, −7, 7, −7)", () => tensor(new float[] { 0, 0, 0, 2, 7, -7, 7, -7 }).reshape(1, 8));
        yield return ("linear [8, 16]", () => randn(8, 16, generator: new Generator(35)));
        yield return ("linear [3, 12]", () => randn(3, 12, generator: new Generator(36)));
    }

    private static IEnumerable<(string Name, Func<(Tensor Producer, IReadOnlyList<Tensor> Consumers, double P, int Block)> Input)> ChannelCases()
    {
        yield return ("hand-written: filters [2, 2], one consumer [1, 2], L1", () =>
            (tensor(new float[] { 1, -2, 3, 4 }).reshape(2, 2), [tensor(new float[] { 10, -20 }).reshape(1, 2)], 1, 1));
        yield return ("conv [6, 3, 3, 3] → conv [4, 6, 3, 3], L2", () =>
        {
            using var g = new Generator(37);
            return (randn(6, 3, 3, 3, generator: g), [randn(4, 6, 3, 3, generator: g)], 2, 1);
        });
        yield return ("two consumers [5, 4] and [3, 4], L2", () =>
        {
            using var g = new Generator(38);
            return (randn(4, 7, generator: g), [randn(5, 4, generator: g), randn(3, 4, generator: g)], 2, 1);
        });
        yield return ("conv [3, 2, 3, 3] → flatten of 2×2 maps → linear [5, 12], L2", () =>
        {
            using var g = new Generator(39);
            return (randn(3, 2, 3, 3, generator: g), [randn(5, 12, generator: g)], 2, 4);
        });
    }
}
