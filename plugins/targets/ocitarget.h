#pragma once

#include "deploy/deploytarget.h"

namespace kiln::Internal {

/// The "oci" target kind (stateless; lives for the process): a repository of an OCI registry
/// (Docker distribution, Harbor, GHCR...) that stores each pushed version as an OCI artifact:
/// a config blob (the bundle's kiln-bundle.json), one layer (the bundle) and an image manifest
/// with artifactType application/vnd.kiln.bundle.v1, tagged `v<version>` and `current`.
/// Nothing serves from a registry: its health is "stored". Rollback moves `current` back to
/// the manifest the current one names as its previous. Undeploy deletes the manifest `current`
/// points at, by digest (the registry must allow deletes): every tag on it goes too, its
/// `v<version>` included; blobs stay until the registry's garbage collection.
const TargetKind *ociTargetKind();

/// The media types and annotation keys of a Kiln bundle artifact.
namespace oci {
inline constexpr char kManifestMediaType[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kArtifactType[] = "application/vnd.kiln.bundle.v1";
inline constexpr char kConfigMediaType[] = "application/vnd.kiln.bundle.config.v1+json";
inline constexpr char kLayerMediaType[] = "application/vnd.kiln.bundle.v1.tar+gzip";
inline constexpr char kCurrentTag[] = "current";
inline constexpr char kTitleAnnotation[] = "org.opencontainers.image.title";
inline constexpr char kCreatedAnnotation[] = "org.opencontainers.image.created";
inline constexpr char kModelNameAnnotation[] = "org.kiln.model.name";
inline constexpr char kModelVersionAnnotation[] = "org.kiln.model.version";
inline constexpr char kBundleShaAnnotation[] = "org.kiln.bundle.sha256";
/// What `current` pointed at before this push: rollback puts that manifest back.
inline constexpr char kPreviousNameAnnotation[] = "org.kiln.previous.name";
inline constexpr char kPreviousVersionAnnotation[] = "org.kiln.previous.version";
inline constexpr char kPreviousShaAnnotation[] = "org.kiln.previous.sha256";
inline constexpr char kPreviousManifestAnnotation[] = "org.kiln.previous.manifest"; ///< its digest
} // namespace oci

} // namespace kiln::Internal
