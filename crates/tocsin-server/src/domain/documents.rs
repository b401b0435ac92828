//! Automation documents: create, version, describe, list, tag and delete them, mirroring the
//! document operations of AWS Systems Manager (API 2014-11-06) for `DocumentType:
//! Automation`. Built-in documents ([`BUILT_IN`]) are read-only and listed with their owner
//! (`Amazon` for AWS's incident template, `Tocsin` for Tocsin's examples).
//!
//! Errors carry SSM's codes: `InvalidDocument` (no such document), `DocumentAlreadyExists`,
//! `InvalidDocumentContent` / `InvalidDocumentSchemaVersion` (naming the step and problem),
//! `InvalidDocumentVersion`, `DuplicateDocumentContent`, `InvalidDocumentOperation`
//! (built-ins), `InvalidNextToken`, `InvalidFilterKey`, `InvalidResourceType`,
//! `InvalidResourceId`, `ValidationException`.

use sha2::{Digest, Sha256};
use tocsin_api::ssm::{
    CreateDocumentRequest, DescribeDocumentPermissionResponse, DocumentDefaultVersionDescription,
    DocumentDescription, DocumentIdentifier, DocumentParameter, DocumentRef, DocumentVersionInfo,
    GetDocumentResult, ListDocumentVersionsRequest, ListDocumentVersionsResult,
    ListDocumentsRequest, ListDocumentsResult, Tag, TagsRequest,
    UpdateDocumentDefaultVersionRequest, UpdateDocumentRequest,
};
use tocsin_runbook::{Document, DocumentError, Format};

use crate::config::ServerConfig;
use crate::domain::error::{ApiError, ApiResult};
use crate::store::{StoreTx, StoredDocumentHead, StoredDocumentVersion};

/// A built-in document: name, owner, format and content.
pub struct BuiltIn {
    /// Its name.
    pub name: &'static str,
    /// `Amazon` or `Tocsin`.
    pub owner: &'static str,
    /// Its content (YAML).
    pub content: &'static str,
}

/// The documents every Tocsin has.
pub const BUILT_IN: [BuiltIn; 3] = [
    BuiltIn {
        name: "AWSIncidents-CriticalIncidentRunbookTemplate",
        owner: "Amazon",
        content: include_str!("../../documents/AWSIncidents-CriticalIncidentRunbookTemplate.yaml"),
    },
    BuiltIn {
        name: "Tocsin-NoteApproveNotify",
        owner: "Tocsin",
        content: include_str!("../../documents/Tocsin-NoteApproveNotify.yaml"),
    },
    BuiltIn {
        name: "Tocsin-TriageByImpact",
        owner: "Tocsin",
        content: include_str!("../../documents/Tocsin-TriageByImpact.yaml"),
    },
];

const PLATFORMS: [&str; 3] = ["Windows", "Linux", "MacOS"];

fn invalid_document(name: &str) -> ApiError {
    ApiError::service(
        "InvalidDocument",
        format!("Document with name {name} does not exist."),
    )
}

fn document_error(err: DocumentError) -> ApiError {
    match err {
        DocumentError::Content(m) => ApiError::service("InvalidDocumentContent", m),
        DocumentError::SchemaVersion(m) => ApiError::service("InvalidDocumentSchemaVersion", m),
    }
}

fn hash(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
}

fn built_in(name: &str) -> Option<(StoredDocumentHead, StoredDocumentVersion)> {
    BUILT_IN.iter().find(|b| b.name == name).map(|b| {
        (
            StoredDocumentHead {
                name: b.name.into(),
                owner: b.owner.into(),
                default_version: 1,
                latest_version: 1,
                created_at: 0.0,
                tags: Vec::new(),
            },
            StoredDocumentVersion {
                name: b.name.into(),
                version: 1,
                content: b.content.into(),
                format: "YAML".into(),
                version_name: None,
                display_name: None,
                target_type: None,
                created_at: 0.0,
                hash: hash(b.content),
            },
        )
    })
}

/// Whether `name` is a built-in document.
pub fn is_built_in(name: &str) -> bool {
    BUILT_IN.iter().any(|b| b.name == name)
}

fn check_name(name: &str) -> ApiResult<()> {
    let ok = (3..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        return Err(ApiError::Validation(format!(
            "Document name {name:?} must be 3-128 letters, digits, '_', '-' or '.'."
        )));
    }
    let lower = name.to_ascii_lowercase();
    if ["aws", "amazon", "amzn"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Err(ApiError::Validation(format!(
            "Document name {name} is reserved: names cannot begin with aws, amazon or amzn."
        )));
    }
    Ok(())
}

fn check_tags(tags: &[Tag]) -> ApiResult<()> {
    if tags.len() > 50 {
        return Err(ApiError::Validation(
            "A document has at most 50 tags.".into(),
        ));
    }
    for t in tags {
        if t.key.is_empty() || t.key.len() > 128 || t.value.len() > 256 {
            return Err(ApiError::Validation(format!(
                "Tag {:?}: keys are 1-128 characters, values at most 256.",
                t.key
            )));
        }
    }
    Ok(())
}

/// Parses and validates content in the format named by `format` (default JSON).
///
/// Errors: `InvalidDocumentContent` / `InvalidDocumentSchemaVersion`.
pub fn validate_content(content: &str, format: Option<&str>) -> ApiResult<(Document, Format)> {
    let format = Format::parse(format).map_err(document_error)?;
    let doc = Document::parse(content, format).map_err(document_error)?;
    Ok((doc, format))
}

/// A version's `DocumentDescription`.
pub fn describe(head: &StoredDocumentHead, version: &StoredDocumentVersion) -> DocumentDescription {
    let doc = tocsin_runbook::document::parse_content(
        &version.content,
        Format::parse(Some(&version.format)).unwrap_or(Format::Json),
    )
    .ok()
    .and_then(|v| Document::from_value(&v).ok());
    let parameters = doc.as_ref().map(|d| {
        d.parameters
            .iter()
            .map(|p| DocumentParameter {
                name: p.name.clone(),
                // The model's DocumentParameterType has only these two.
                kind: match p.kind {
                    tocsin_runbook::params::ParamType::StringList
                    | tocsin_runbook::params::ParamType::MapList => "StringList".into(),
                    _ => "String".into(),
                },
                description: p.description.clone(),
                default_value: p.default.as_ref().map(tocsin_runbook::template::as_text),
            })
            .collect()
    });
    DocumentDescription {
        hash: version.hash.clone(),
        hash_type: "Sha256".into(),
        name: head.name.clone(),
        display_name: version.display_name.clone(),
        version_name: version.version_name.clone(),
        owner: head.owner.clone(),
        created_date: version.created_at,
        status: "Active".into(),
        document_version: version.version.to_string(),
        description: doc.and_then(|d| d.description),
        parameters,
        platform_types: PLATFORMS.map(String::from).to_vec(),
        document_type: "Automation".into(),
        schema_version: tocsin_runbook::document::SCHEMA_VERSION.into(),
        latest_version: head.latest_version.to_string(),
        default_version: head.default_version.to_string(),
        document_format: version.format.clone(),
        target_type: version.target_type.clone(),
        tags: head.tags.clone(),
    }
}

/// A document's head, stored or built in.
///
/// Errors: `InvalidDocument`.
pub async fn head(tx: &mut dyn StoreTx, name: &str) -> ApiResult<StoredDocumentHead> {
    if let Some((head, _)) = built_in(name) {
        return Ok(head);
    }
    tx.document_head(name)
        .await?
        .ok_or_else(|| invalid_document(name))
}

/// The version `spec` (a number, `$DEFAULT`, `$LATEST`; none: the default) or the version
/// called `version_name` of a document.
///
/// Errors: `InvalidDocument`, `InvalidDocumentVersion`.
pub async fn version(
    tx: &mut dyn StoreTx,
    name: &str,
    spec: Option<&str>,
    version_name: Option<&str>,
) -> ApiResult<(StoredDocumentHead, StoredDocumentVersion)> {
    if let Some(found) = built_in(name) {
        return match spec {
            None | Some("$DEFAULT" | "$LATEST" | "1") => Ok(found),
            Some(other) => Err(ApiError::service(
                "InvalidDocumentVersion",
                format!("Document {name} has no version {other}."),
            )),
        };
    }
    let head = head(tx, name).await?;
    let bad_version = |v: &str| {
        ApiError::service(
            "InvalidDocumentVersion",
            format!("Document {name} has no version {v}."),
        )
    };
    if let Some(version_name) = version_name.filter(|_| spec.is_none()) {
        return tx
            .document_versions(name)
            .await?
            .into_iter()
            .find(|v| v.version_name.as_deref() == Some(version_name))
            .map(|v| (head.clone(), v))
            .ok_or_else(|| bad_version(version_name));
    }
    let number = match spec {
        None | Some("$DEFAULT") => head.default_version,
        Some("$LATEST") => head.latest_version,
        Some(text) => text.parse::<i64>().map_err(|_| bad_version(text))?,
    };
    let found = tx
        .document_version(name, number)
        .await?
        .ok_or_else(|| bad_version(&number.to_string()))?;
    Ok((head, found))
}

/// Mirrors CreateDocument (Automation documents): validates the content, stores version 1
/// as the default and latest.
///
/// Errors: `ValidationException` (name, type, tags), `InvalidDocumentContent`,
/// `InvalidDocumentSchemaVersion`, `DocumentAlreadyExists`.
pub async fn create_document(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: CreateDocumentRequest,
    now: f64,
) -> ApiResult<DocumentDescription> {
    check_name(&req.name)?;
    if let Some(kind) = req.document_type.as_deref().filter(|k| *k != "Automation") {
        return Err(ApiError::Validation(format!(
            "DocumentType {kind} is not supported: Tocsin runs Automation documents."
        )));
    }
    let tags = req.tags.unwrap_or_default();
    check_tags(&tags)?;
    let (_, format) = validate_content(&req.content, req.document_format.as_deref())?;
    if is_built_in(&req.name) || tx.document_head(&req.name).await?.is_some() {
        return Err(ApiError::service(
            "DocumentAlreadyExists",
            format!("Document with name {} already exists.", req.name),
        ));
    }
    let version = StoredDocumentVersion {
        name: req.name.clone(),
        version: 1,
        hash: hash(&req.content),
        content: req.content,
        format: format.as_str().into(),
        version_name: req.version_name,
        display_name: req.display_name,
        target_type: req.target_type,
        created_at: now,
    };
    let head = StoredDocumentHead {
        name: req.name,
        owner: config.account_id.clone(),
        default_version: 1,
        latest_version: 1,
        created_at: now,
        tags,
    };
    tx.insert_document_version(&version).await?;
    tx.put_document_head(&head).await?;
    Ok(describe(&head, &version))
}

/// Mirrors UpdateDocument: a new version (latest + 1) with new content; the default version
/// does not change.
///
/// Errors: `InvalidDocument`, `InvalidDocumentOperation` (built-ins),
/// `InvalidDocumentVersion` (not `$LATEST` or the latest number),
/// `DuplicateDocumentContent`, `DuplicateDocumentVersionName`, `InvalidDocumentContent`.
pub async fn update_document(
    tx: &mut dyn StoreTx,
    req: UpdateDocumentRequest,
    now: f64,
) -> ApiResult<DocumentDescription> {
    if is_built_in(&req.name) {
        return Err(ApiError::service(
            "InvalidDocumentOperation",
            format!("Document {} is built in and cannot be changed.", req.name),
        ));
    }
    let mut head = head(tx, &req.name).await?;
    match req.document_version.as_deref() {
        None | Some("$LATEST") => {}
        Some(v) if v == head.latest_version.to_string() => {}
        Some(v) => {
            return Err(ApiError::service(
                "InvalidDocumentVersion",
                format!(
                    "Only the latest version ({}) of {} can be updated, not {v}.",
                    head.latest_version, req.name
                ),
            ));
        }
    }
    let (_, format) = validate_content(&req.content, req.document_format.as_deref())?;
    let versions = tx.document_versions(&req.name).await?;
    let digest = hash(&req.content);
    if versions.first().is_some_and(|latest| latest.hash == digest) {
        return Err(ApiError::service(
            "DuplicateDocumentContent",
            "The content of the new version is the same as the latest version's.",
        ));
    }
    if let Some(name) = &req.version_name
        && versions
            .iter()
            .any(|v| v.version_name.as_ref() == Some(name))
    {
        return Err(ApiError::service(
            "DuplicateDocumentVersionName",
            format!("Version name {name} is already used by {}.", req.name),
        ));
    }
    head.latest_version += 1;
    let version = StoredDocumentVersion {
        name: req.name.clone(),
        version: head.latest_version,
        content: req.content,
        format: format.as_str().into(),
        version_name: req.version_name,
        display_name: req
            .display_name
            .or_else(|| versions.first().and_then(|v| v.display_name.clone())),
        target_type: req.target_type,
        created_at: now,
        hash: digest,
    };
    tx.insert_document_version(&version).await?;
    tx.put_document_head(&head).await?;
    Ok(describe(&head, &version))
}

/// Mirrors UpdateDocumentDefaultVersion.
///
/// Errors: `InvalidDocument`, `InvalidDocumentVersion`, `InvalidDocumentOperation`.
pub async fn set_default_version(
    tx: &mut dyn StoreTx,
    req: UpdateDocumentDefaultVersionRequest,
) -> ApiResult<DocumentDefaultVersionDescription> {
    if is_built_in(&req.name) {
        return Err(ApiError::service(
            "InvalidDocumentOperation",
            format!("Document {} is built in and cannot be changed.", req.name),
        ));
    }
    let (mut head, found) = version(tx, &req.name, Some(&req.document_version), None).await?;
    head.default_version = found.version;
    tx.put_document_head(&head).await?;
    Ok(DocumentDefaultVersionDescription {
        name: head.name,
        default_version: found.version.to_string(),
        default_version_name: found.version_name,
    })
}

/// Mirrors GetDocument: the content of a version, converted to `DocumentFormat` if asked.
///
/// Errors: `InvalidDocument`, `InvalidDocumentVersion`, `ValidationException` (format).
pub async fn get_document(tx: &mut dyn StoreTx, req: DocumentRef) -> ApiResult<GetDocumentResult> {
    let (_, found) = version(
        tx,
        &req.name,
        req.document_version.as_deref(),
        req.version_name.as_deref(),
    )
    .await?;
    let (content, format) = match req.document_format.as_deref() {
        None => (found.content.clone(), found.format.clone()),
        Some(wanted) if wanted == found.format => (found.content.clone(), found.format.clone()),
        Some(wanted) => {
            let target =
                Format::parse(Some(wanted)).map_err(|e| ApiError::Validation(e.to_string()))?;
            let source = Format::parse(Some(&found.format)).unwrap_or(Format::Json);
            let value = tocsin_runbook::document::parse_content(&found.content, source)
                .map_err(document_error)?;
            (
                tocsin_runbook::document::render_content(&value, target),
                target.as_str().to_owned(),
            )
        }
    };
    Ok(GetDocumentResult {
        name: found.name,
        created_date: found.created_at,
        display_name: found.display_name,
        version_name: found.version_name,
        document_version: found.version.to_string(),
        status: "Active".into(),
        content,
        document_type: "Automation".into(),
        document_format: format,
    })
}

/// Mirrors DescribeDocument.
///
/// Errors: `InvalidDocument`, `InvalidDocumentVersion`.
pub async fn describe_document(
    tx: &mut dyn StoreTx,
    req: DocumentRef,
) -> ApiResult<DocumentDescription> {
    let (head, found) = version(
        tx,
        &req.name,
        req.document_version.as_deref(),
        req.version_name.as_deref(),
    )
    .await?;
    Ok(describe(&head, &found))
}

/// SSM's paging: `NextToken` (an offset Tocsin issued) and `MaxResults` (1-50, default 50)
/// as (offset, limit).
///
/// Errors: `InvalidNextToken`, `ValidationException`.
pub(crate) fn page(
    next_token: Option<&str>,
    max_results: Option<i64>,
) -> ApiResult<(usize, usize)> {
    let offset = match next_token {
        None => 0,
        Some(t) => t
            .parse::<usize>()
            .map_err(|_| ApiError::service("InvalidNextToken", "The NextToken is not valid."))?,
    };
    let limit = max_results.unwrap_or(50);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::Validation("MaxResults must be 1-50.".into()));
    }
    Ok((offset, limit as usize))
}

/// Mirrors ListDocuments: the caller's documents and the built-ins, by name, filtered by
/// `Name`, `Owner` (`Self`, `Amazon`, `Tocsin`, `All` or an account id), `DocumentType`,
/// `SearchKeyword` and `tag:KEY`.
///
/// Errors: `InvalidFilterKey`, `InvalidNextToken`, `ValidationException`.
pub async fn list_documents(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: ListDocumentsRequest,
) -> ApiResult<ListDocumentsResult> {
    let (offset, limit) = page(req.next_token.as_deref(), req.max_results)?;
    let mut filters: Vec<(String, Vec<String>)> = Vec::new();
    for f in req.filters.unwrap_or_default() {
        filters.push((f.key.unwrap_or_default(), f.values.unwrap_or_default()));
    }
    for f in req.document_filter_list.unwrap_or_default() {
        filters.push((f.key, vec![f.value]));
    }
    let mut docs: Vec<(StoredDocumentHead, StoredDocumentVersion)> = Vec::new();
    for b in &BUILT_IN {
        if let Some(found) = built_in(b.name) {
            docs.push(found);
        }
    }
    for head in tx.document_heads().await? {
        if let Some(v) = tx
            .document_version(&head.name, head.default_version)
            .await?
        {
            docs.push((head, v));
        }
    }
    let mut out = Vec::new();
    for (head, v) in docs {
        let mut keep = true;
        for (key, values) in &filters {
            let any = |f: &dyn Fn(&str) -> bool| values.is_empty() || values.iter().any(|x| f(x));
            keep &= match key.as_str() {
                "Name" => any(&|x| head.name == x || head.name.starts_with(x)),
                "Owner" => any(&|x| match x {
                    "Self" => head.owner == config.account_id,
                    "All" => true,
                    "Amazon" | "Public" => head.owner == "Amazon",
                    other => head.owner == other,
                }),
                "DocumentType" => any(&|x| x == "Automation"),
                "PlatformTypes" => any(&|x| PLATFORMS.contains(&x)),
                "SearchKeyword" => any(&|x| head.name.to_lowercase().contains(&x.to_lowercase())),
                k if k.starts_with("tag:") => {
                    let tag = &k[4..];
                    head.tags
                        .iter()
                        .any(|t| t.key == tag && (values.is_empty() || values.contains(&t.value)))
                }
                "TagKeys" => any(&|x| head.tags.iter().any(|t| t.key == x)),
                other => {
                    return Err(ApiError::service(
                        "InvalidFilterKey",
                        format!("Filter key {other} is not supported."),
                    ));
                }
            };
        }
        if keep {
            out.push(DocumentIdentifier {
                name: head.name.clone(),
                created_date: head.created_at,
                display_name: v.display_name.clone(),
                owner: head.owner.clone(),
                version_name: v.version_name.clone(),
                platform_types: PLATFORMS.map(String::from).to_vec(),
                document_version: v.version.to_string(),
                document_type: "Automation".into(),
                schema_version: tocsin_runbook::document::SCHEMA_VERSION.into(),
                document_format: v.format.clone(),
                tags: head.tags.clone(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    let next = (offset + limit < out.len()).then(|| (offset + limit).to_string());
    Ok(ListDocumentsResult {
        document_identifiers: out.into_iter().skip(offset).take(limit).collect(),
        next_token: next,
    })
}

/// Mirrors ListDocumentVersions, newest first.
///
/// Errors: `InvalidDocument`, `InvalidNextToken`.
pub async fn list_versions(
    tx: &mut dyn StoreTx,
    req: ListDocumentVersionsRequest,
) -> ApiResult<ListDocumentVersionsResult> {
    let (offset, limit) = page(req.next_token.as_deref(), req.max_results)?;
    let (head, versions) = match built_in(&req.name) {
        Some((head, v)) => (head, vec![v]),
        None => {
            let head = head(tx, &req.name).await?;
            let versions = tx.document_versions(&req.name).await?;
            (head, versions)
        }
    };
    let infos: Vec<DocumentVersionInfo> = versions
        .into_iter()
        .map(|v| DocumentVersionInfo {
            name: v.name,
            display_name: v.display_name,
            document_version: v.version.to_string(),
            version_name: v.version_name,
            created_date: v.created_at,
            is_default_version: v.version == head.default_version,
            document_format: v.format,
            status: "Active".into(),
        })
        .collect();
    let next = (offset + limit < infos.len()).then(|| (offset + limit).to_string());
    Ok(ListDocumentVersionsResult {
        document_versions: infos.into_iter().skip(offset).take(limit).collect(),
        next_token: next,
    })
}

/// Mirrors DeleteDocument: every version, or only `DocumentVersion` (never the default).
///
/// Errors: `InvalidDocument`, `InvalidDocumentOperation` (built-ins, the default version).
pub async fn delete_document(tx: &mut dyn StoreTx, req: DocumentRef) -> ApiResult<()> {
    if is_built_in(&req.name) {
        return Err(ApiError::service(
            "InvalidDocumentOperation",
            format!("Document {} is built in and cannot be deleted.", req.name),
        ));
    }
    let mut head = head(tx, &req.name).await?;
    match req.document_version.as_deref() {
        None => {
            tx.delete_document(&req.name).await?;
        }
        Some(spec) => {
            let (_, found) = version(tx, &req.name, Some(spec), None).await?;
            if found.version == head.default_version {
                return Err(ApiError::service(
                    "InvalidDocumentOperation",
                    "The default version cannot be deleted; make another version the default first.",
                ));
            }
            tx.delete_document_version(&req.name, found.version).await?;
            if found.version == head.latest_version {
                head.latest_version = tx
                    .document_versions(&req.name)
                    .await?
                    .first()
                    .map_or(head.default_version, |v| v.version);
                tx.put_document_head(&head).await?;
            }
        }
    }
    Ok(())
}

async fn tagged_head(tx: &mut dyn StoreTx, req: &TagsRequest) -> ApiResult<StoredDocumentHead> {
    if req.resource_type != "Document" {
        return Err(ApiError::service(
            "InvalidResourceType",
            format!(
                "ResourceType {} is not supported; Tocsin tags documents.",
                req.resource_type
            ),
        ));
    }
    if is_built_in(&req.resource_id) {
        return Err(ApiError::service(
            "InvalidResourceId",
            format!(
                "Document {} is built in and cannot be tagged.",
                req.resource_id
            ),
        ));
    }
    tx.document_head(&req.resource_id).await?.ok_or_else(|| {
        ApiError::service(
            "InvalidResourceId",
            format!("Document {} does not exist.", req.resource_id),
        )
    })
}

/// Mirrors AddTagsToResource (`ResourceType: Document`): adds tags, replacing a key's value.
///
/// Errors: `InvalidResourceType`, `InvalidResourceId`, `ValidationException`.
pub async fn add_tags(tx: &mut dyn StoreTx, req: TagsRequest) -> ApiResult<()> {
    let mut head = tagged_head(tx, &req).await?;
    for tag in req.tags.unwrap_or_default() {
        head.tags.retain(|t| t.key != tag.key);
        head.tags.push(tag);
    }
    check_tags(&head.tags)?;
    tx.put_document_head(&head).await?;
    Ok(())
}

/// Mirrors RemoveTagsFromResource.
///
/// Errors: `InvalidResourceType`, `InvalidResourceId`.
pub async fn remove_tags(tx: &mut dyn StoreTx, req: TagsRequest) -> ApiResult<()> {
    let mut head = tagged_head(tx, &req).await?;
    let keys = req.tag_keys.unwrap_or_default();
    head.tags.retain(|t| !keys.contains(&t.key));
    tx.put_document_head(&head).await?;
    Ok(())
}

/// Mirrors ListTagsForResource.
///
/// Errors: `InvalidResourceType`, `InvalidResourceId`.
pub async fn list_tags(tx: &mut dyn StoreTx, req: TagsRequest) -> ApiResult<Vec<Tag>> {
    if req.resource_type == "Document" && is_built_in(&req.resource_id) {
        return Ok(Vec::new());
    }
    Ok(tagged_head(tx, &req).await?.tags)
}

/// Mirrors DescribeDocumentPermission: Tocsin documents are never shared with other
/// accounts, so the lists are empty.
///
/// Errors: `InvalidDocument`, `InvalidPermissionType`.
pub async fn describe_permission(
    tx: &mut dyn StoreTx,
    name: &str,
    permission_type: &str,
) -> ApiResult<DescribeDocumentPermissionResponse> {
    if permission_type != "Share" {
        return Err(ApiError::service(
            "InvalidPermissionType",
            format!("PermissionType {permission_type} is not Share."),
        ));
    }
    head(tx, name).await?;
    Ok(DescribeDocumentPermissionResponse {
        account_ids: Vec::new(),
        account_sharing_info_list: Vec::new(),
    })
}
