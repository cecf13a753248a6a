using PruningLab.Exercises;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Structured;

/// <summary>A channel criterion: one non-negative score per channel of a group; the lowest are pruned first.</summary>
public interface IChannelImportance
{
    /// <summary>The scores of <paramref name="group"/>'s channels, a float64 vector.</summary>
    Tensor Score(nn.Module model, ChannelGroup group);
}

/// <summary>The channel criteria of lesson 04 (first-order and Hessian ones follow in lessons 05–07).</summary>
public static class ChannelImportance
{
    /// <summary>The Lp norm of each output filter (the producer's weight row): Li et al. (2017) use L1.</summary>
    public static IChannelImportance OutputFilters(double p = 2) => FromWeights((filters, _, _) => OfGroup(filters, [], p), $"L{p} of output filters");

    /// <summary>
    /// The Lp norm of each channel's input slice in the layers that read it (MIT's lab): a channel the next layer barely
    /// listens to matters little, whatever its own filter.
    /// </summary>
    public static IChannelImportance NextLayerInputs(double p = 2) =>
        FromWeights((filters, consumers, block) => OfGroup(zeros_like(filters), consumers, p, block), $"L{p} of next-layer inputs");

    /// <summary>The Lp norm over the whole coupled group: the filter and every input slice that reads the channel.</summary>
    public static IChannelImportance Group(double p = 2) =>
        FromWeights((filters, consumers, block) => OfGroup(filters, consumers, p, block), $"L{p} over the coupled group");

    /// <summary>
    /// A criterion computed from a group's weights: <paramref name="score"/> receives the producer's weight
    /// [channels, …], the weights of the layers that read the channels, and how many consecutive inputs each channel
    /// is to them (1, or H×W after a flatten), and returns one score per channel. Lesson 03 wraps the learner's
    /// exercise 3.3 this way.
    /// </summary>
    public static IChannelImportance FromWeights(Func<Tensor, IReadOnlyList<Tensor>, int, Tensor> score, string name)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new WeightScores(score, name);
    }

    /// <summary>
    /// Given scores: <paramref name="scores"/> holds one float vector per channel group, by the group's name (for
    /// criteria a lesson computes itself, such as the learner's exercise 5.2).
    /// </summary>
    public static IChannelImportance FromScores(IReadOnlyDictionary<string, Tensor> scores, string name)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new GivenScores(scores, name);
    }

    /// <summary>|γ| of the BatchNorm after the channel (Liu et al., 2017, "network slimming"); groups without BatchNorm fall back to the filters' L2 norm.</summary>
    public static IChannelImportance BatchNormScale { get; } = new Gamma();

    /// <summary>Uniform random scores: the baseline (the same seed gives the same scores for the same group).</summary>
    public static IChannelImportance Random(int seed) => new RandomScores(seed);

    /// <summary>
    /// The group Lp importance of every channel, from tensors: channel c scores (Σ |w|ᵖ over row c of
    /// <paramref name="producer"/> and the inputs c·block … c·block + block − 1 of each consumer)^(1/p). The reference of exercise 3.3.
    /// </summary>
    /// <param name="producer">The producer's weight [channels, …].</param>
    /// <param name="consumers">The consumers' weights [outputs, channels·block, …].</param>
    /// <param name="p">The norm's p.</param>
    /// <param name="block">Inputs per channel in the consumers.</param>
    public static Tensor OfGroup(Tensor producer, IReadOnlyList<Tensor> consumers, double p = 2, int block = 1)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(consumers);
        if (p <= 0 || !double.IsFinite(p)) throw new ArgumentOutOfRangeException(nameof(p), p, "The norm's p must be positive and finite.");
        ReferenceUse.Note(ReferenceUse.ChannelImportance);
        using var scope = NewDisposeScope();
        var channels = producer.shape[0];
        var total = PowerSums(producer, 0, 1, channels);
        foreach (var consumer in consumers)
        {
            if (consumer.shape[1] != channels * block)
                throw new ArgumentException($"A consumer has {consumer.shape[1]} inputs; {channels} channels × {block} expected.", nameof(consumers));
            total += PowerSums(consumer, 1, block, channels);
        }
        return total.pow(1 / p).MoveToOuterDisposeScope();

        // Σ |w|ᵖ per channel along dimension `dim`, `per` consecutive entries per channel.
        Tensor PowerSums(Tensor w, long dim, int per, long count) =>
            w.detach().to(float64).abs().pow(p).transpose(0, dim).reshape(count, -1).sum(1);
    }

    private sealed class WeightScores(Func<Tensor, IReadOnlyList<Tensor>, int, Tensor> score, string name) : IChannelImportance
    {
        public Tensor Score(nn.Module model, ChannelGroup group)
        {
            var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
            var producer = ChannelCoupling.WeightOf(modules[group.Producer], group.Producer);
            using var scope = NewDisposeScope();
            var consumers = group.Consumers.Select(c => ChannelCoupling.WeightOf(modules[c.Module], c.Module)).ToList();
            var block = group.Consumers.Count == 0 ? 1 : group.Consumers[0].Block;
            if (group.Consumers.Any(c => c.Block != block))
                throw new ArgumentException($"The consumers of '{group.Name}' read different numbers of inputs per channel; score them one by one.");
            using var noGrad = no_grad();
            var scores = score(producer.detach(), consumers.Select(c => c.detach()).ToList(), block)
                         ?? throw new ArgumentException($"The criterion {name} returned null for '{group.Name}'.");
            if (scores.numel() != producer.shape[0])
                throw new ArgumentException($"The criterion {name} gave {scores.numel()} scores for the {producer.shape[0]} channels of '{group.Name}'.");
            return scores.flatten().to(float64).MoveToOuterDisposeScope();
        }
        public override string ToString() => name;
    }

    private sealed class Gamma : IChannelImportance
    {
        public Tensor Score(nn.Module model, ChannelGroup group)
        {
            if (group.BatchNorm is null) return OutputFilters().Score(model, group);
            var bn = model.named_modules().First(m => m.name == group.BatchNorm).module;
            var gamma = bn switch { BatchNorm2d b => b.weight!, BatchNorm1d b => b.weight!, _ => throw new ArgumentException($"'{group.BatchNorm}' is not a BatchNorm.") };
            return gamma.detach().abs().to(float64);
        }
        public override string ToString() => "|γ| of BatchNorm";
    }

    private sealed class RandomScores(int seed) : IChannelImportance
    {
        public Tensor Score(nn.Module model, ChannelGroup group)
        {
            using var generator = new Generator(Pruning.Importance.GeneratorSeed(seed, group.Name));
            var producer = model.named_modules().First(m => m.name == group.Producer).module;
            return rand(ChannelCoupling.WeightOf(producer, group.Producer).shape[0], dtype: float64, generator: generator);
        }
        public override string ToString() => $"random (seed {seed})";
    }


    private sealed class GivenScores(IReadOnlyDictionary<string, Tensor> scores, string name) : IChannelImportance
    {
        public Tensor Score(nn.Module model, ChannelGroup group)
        {
            ArgumentNullException.ThrowIfNull(group);
            return scores.TryGetValue(group.Name, out var given)
                ? given.detach().to(float64).flatten()
                : throw new ArgumentException($"No scores for the channels of '{group.Name}'; given: {string.Join(", ", scores.Keys)}.", nameof(group));
        }

        public override string ToString() => name;
    }
}
