//! Lines that call heavy functions, for `next` timings (bench/dap-compare):
//! stepping over each line costs running its calls to their return.
//! Built at -O0 by bench/programs/build-heavy.sh.

fn checksum(data: &[u32]) -> u32 {
    data.iter().fold(0x811c_9dc5u32, |h, v| (h ^ v).wrapping_mul(0x0100_0193))
}

fn fib(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    fib(n - 1) + fib(n - 2)
}

fn sorted_copy(data: &[u32]) -> Vec<u32> {
    let mut copy = data.to_vec();
    copy.sort_unstable();
    copy
}

fn words(count: u32) -> String {
    let mut text = String::new();
    for i in 0..count {
        text.push_str(&format!("w{} ", i % 97));
    }
    text
}

fn main() {
    let data: Vec<u32> = (0..4_000u32).map(|i| (i * 7919) % 10_007).collect();
    let mut total = 0u64;
    for round in 0..200u32 {
        let hash = checksum(&data); // BP: heavy_loop
        let f = fib(14 + round % 3);
        let sorted = sorted_copy(&data);
        let text = words(200);
        total = total.wrapping_add(u64::from(hash) + f + u64::from(sorted[round as usize]) + text.len() as u64);
    }
    println!("heavy calls: {}", total);
}
