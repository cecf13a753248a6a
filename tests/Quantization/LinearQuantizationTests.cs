using PruningLab.Quantization;
using static TorchSharp.torch;

namespace PruningLab.Tests.Quantization;

/// <summary>Symmetric linear quantization against hand-computed codes and the half-step error bound.</summary>
public class LinearQuantizationTests
{
    private static float[] Flat(Tensor t) => t.detach().cpu().contiguous().flatten().data<float>().ToArray();
    private static long[] Codes(Tensor t) => t.cpu().contiguous().flatten().data<long>().ToArray();

    [Fact]
    public void Three_bits_per_tensor_match_the_hand_computed_codes()
    {
        // qmax = 3, scale = 1/3: 0.5 → 1.5 → 2 (half to even), 0.45 → 1.35 → 1, −0.1 → −0.3 → 0, −1 → −3.
        using var w = tensor(new[] { 0f, 0.45f, -1f, 0.26f, -0.1f, 0.8f });
        using var q = LinearQuantization.Quantize(w, bits: 3);
        Assert.Equal(new long[] { 0, 1, -3, 1, 0, 2 }, Codes(q.Codes));
        var third = 1f / 3;
        Assert.Equal(new[] { 0f, third, -1f, third, 0f, 2 * third }, Flat(q.Values), new FloatTolerance(1e-6f));
        Assert.Equal(7, q.Levels);      // −3 … 3
        Assert.Equal(3, q.CodeBits);
        Assert.Equal(32, q.SideBits);   // one fp32 scale
        Assert.Equal(4, q.NonZeros);    // −0.1 rounded to zero: quantization pruned it
    }

    [Fact]
    public void Per_channel_gives_each_row_its_own_scale()
    {
        // 2 bits: levels −1, 0, 1. Row 0: scale 1; row 1: scale 0.1, so 0.04 → 0.4 → 0.
        using var w = tensor(new float[,] { { 1f, -0.6f }, { 0.1f, 0.04f } });
        using var q = LinearQuantization.Quantize(w, bits: 2, perChannel: true);
        Assert.Equal(new long[] { 1, -1, 1, 0 }, Codes(q.Codes));
        Assert.Equal(new[] { 1f, -1f, 0.1f, 0f }, Flat(q.Values), new FloatTolerance(1e-7f));
        Assert.Equal(64, q.SideBits);
        // Per tensor, row 1 would be lost entirely: one scale of 1 rounds 0.1 to 0.
        using var perTensor = LinearQuantization.Quantize(w, bits: 2);
        Assert.Equal(new long[] { 1, -1, 0, 0 }, Codes(perTensor.Codes));
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(4, false)]
    [InlineData(8, false)]
    [InlineData(3, true)]
    [InlineData(8, true)]
    public void The_error_is_at_most_half_a_step_and_zeros_stay_zero(int bits, bool perChannel)
    {
        using var g = new Generator(7);
        using var dense = randn(20, 30, generator: g);
        using var pruned = dense * (rand(20, 30, generator: g) > 0.6f);
        using var q = LinearQuantization.Quantize(pruned, bits, perChannel);
        var qmax = (1 << (bits - 1)) - 1;
        var w = Flat(pruned);
        var values = Flat(q.Values);
        for (var i = 0; i < w.Length; i++)
        {
            var row = i / 30;
            var range = perChannel ? w.Skip(row * 30).Take(30).Max(Math.Abs) : w.Max(Math.Abs);
            var step = range / qmax;
            Assert.True(Math.Abs(w[i] - values[i]) <= step / 2 * (1 + 1e-5), $"entry {i}: {w[i]} → {values[i]}, step {step}");
            if (w[i] == 0) Assert.Equal(0f, values[i]);
            Assert.Equal(values[i] == 0, Codes(q.Codes)[i] == 0);
        }
    }

    [Fact]
    public void Bad_input_is_a_clear_error()
    {
        using var w = tensor(new[] { 1f, float.NaN });
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => LinearQuantization.Quantize(w, 4)).Message);
        using var v = tensor(new[] { 1f, 2f });
        Assert.Contains("2 to 16 bits", Assert.Throws<ArgumentOutOfRangeException>(() => LinearQuantization.Quantize(v, 1)).Message);
        Assert.Contains("2 or more dimensions", Assert.Throws<ArgumentException>(() => LinearQuantization.Quantize(v, 4, perChannel: true)).Message);
        using var zero = zeros(3, 2);
        using var q = LinearQuantization.Quantize(zero, 4, perChannel: true);
        Assert.Equal(0, q.NonZeros);
    }

    [Fact]
    public void A_quantizer_that_fails_on_a_later_layer_leaves_the_model_as_it_was()
    {
        using var model = PruningLab.Models.ModelZoo.Create(PruningLab.Models.ModelZoo.LeNet300100, seed: 0);
        var before = model.state_dict().ToDictionary(p => p.Key, p => Flat(p.Value));
        var calls = 0;
        var error = Assert.Throws<ArgumentException>(() => ModelQuantization.Apply(model, (name, w) =>
        {
            if (++calls < 3) return LinearQuantization.Quantize(w, 2);
            w.detach().view(-1)[0] = 0f;                // fc3 gets a zero, and the quantizer gives it a value
            var bad = LinearQuantization.Quantize(w, 2);
            bad.Values.fill_(1f);
            return bad;
        }));
        Assert.Contains("revive", error.Message);
        // fc1 and fc2 were quantized to 2 bits first; none of that was written. (fc3's weight 0 was zeroed by the test itself.)
        foreach (var (name, tensor) in model.state_dict().Where(p => !p.Key.StartsWith("fc3")))
            Assert.Equal(before[name], Flat(tensor));
    }
}
