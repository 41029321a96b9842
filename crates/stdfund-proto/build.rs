//! Compiles `proto/stdfund/v1/*.proto` with protox (pure Rust, no system
//! `protoc`), writes the encoded file descriptor set (with imports and source
//! info, for gRPC reflection) to `$OUT_DIR/stdfund_v1_descriptor.bin`, and
//! generates the prost messages and tonic servers from it (servers decode
//! with `crate::codec::ServerCodec`), and the tonic clients (prost's codec)
//! into `$OUT_DIR/clients/`.

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

    // The messages and the servers. The servers decode requests with
    // `codec::ServerCodec`: an undecodable request is INVALID_ARGUMENT (the
    // caller's fault), not prost's INTERNAL.
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .codec_path("crate::codec::ServerCodec")
        .compile_fds(fds.clone())?;

    // The clients, with prost's own codec (an answer that does not decode is
    // not the client's fault), into a file of their own that refers to the
    // messages generated above (`extern_path`: no second copy of them).
    let clients = out.join("clients");
    std::fs::create_dir_all(&clients)?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(false)
        // No `connect()` helpers: this crate carries no transport; callers
        // build a channel and use `Client::new(channel)`.
        .build_transport(false)
        .extern_path(".stdfund.v1", "crate::pb")
        .out_dir(&clients)
        .compile_fds(fds)?;
    Ok(())
}
