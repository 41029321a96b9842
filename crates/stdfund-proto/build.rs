//! Compiles `proto/stdfund/v1/*.proto` with protox (pure Rust, no system
//! `protoc`), writes the encoded file descriptor set (with imports and source
//! info, for gRPC reflection) to `$OUT_DIR/stdfund_v1_descriptor.bin`, and
//! generates the prost messages and tonic clients and servers from it.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_root = manifest.join("../../proto");
    let v1 = proto_root.join("stdfund/v1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&v1)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "proto"))
        .collect();
    files.sort();
    println!("cargo:rerun-if-changed={}", v1.display());
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }

    let mut compiler = protox::Compiler::new([&proto_root])?;
    compiler.include_imports(true).include_source_info(true);
    compiler.open_files(&files)?;
    let fds = compiler.file_descriptor_set();

    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out.join("stdfund_v1_descriptor.bin"),
        compiler.encode_file_descriptor_set(),
    )?;

    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // No `connect()` helpers: this crate carries no transport; callers
        // build a channel and use `Client::new(channel)`.
        .build_transport(false)
        .compile_fds(fds)?;
    Ok(())
}
