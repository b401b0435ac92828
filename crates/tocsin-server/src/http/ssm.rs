//! The AWS Systems Manager operations Tocsin answers (API 2014-11-06, awsJson1.1): `POST /`
//! with `X-Amz-Target: AmazonSSM.<Operation>`: Automation documents, automation executions
//! and signals, and the document tag and permission calls Terraform's `aws_ssm_document`
//! makes. Reads are `viewer`; starting, signalling and stopping executions `responder`
//! (approvals are further limited to each step's approvers); documents `admin`.

use tocsin_api::ssm::{
    CreateDocumentRequest, DescribeAutomationExecutionsRequest, DescribeAutomationExecutionsResult,
    DescribeAutomationStepExecutionsRequest, DescribeAutomationStepExecutionsResult,
    DescribeDocumentPermissionRequest, DescribeDocumentPermissionResponse, DescribeDocumentResult,
    DocumentDescriptionResult, DocumentRef, ExecutionRef, GetAutomationExecutionResult,
    GetDocumentResult, ListDocumentVersionsRequest, ListDocumentVersionsResult,
    ListDocumentsRequest, ListDocumentsResult, ListTagsForResourceResult,
    SendAutomationSignalRequest, StartAutomationExecutionRequest, StartAutomationExecutionResult,
    TagsRequest, UpdateDocumentDefaultVersionRequest, UpdateDocumentDefaultVersionResult,
    UpdateDocumentRequest,
};

use crate::clock;
use crate::domain::automation::{self, Engine};
use crate::domain::automation_start::{self, StartRequest};
use crate::domain::documents;
use crate::http::audit::Audit;
use crate::http::operation::Operation;
use crate::http::state::AppState;
use crate::store::RunAs;

/// The `{}` some operations answer with.
type EmptyResponse = serde_json::Map<String, serde_json::Value>;

fn document_arn(s: &AppState, name: &str) -> String {
    format!(
        "arn:aws:ssm:{}:{}:document/{name}",
        s.config.region, s.config.account_id
    )
}

fn execution_arn(s: &AppState, id: &str) -> String {
    automation_start::execution_arn(&s.config, id)
}

/// Every Systems Manager operation Tocsin answers, with its role.
pub static OPERATIONS: &[Operation] = &[
    operation! { "CreateDocument", Admin, (s, caller, req: CreateDocumentRequest) -> DocumentDescriptionResult {
        let audit = Audit::new(caller, "CreateDocument", document_arn(s, &req.name));
        let description = write_tx!(s, audit, |tx| documents::create_document(tx, &s.config, req, clock::now()).await?);
        DocumentDescriptionResult { document_description: description }
    }},
    operation! { "UpdateDocument", Admin, (s, caller, req: UpdateDocumentRequest) -> DocumentDescriptionResult {
        let audit = Audit::new(caller, "UpdateDocument", document_arn(s, &req.name));
        let description = write_tx!(s, audit, |tx| documents::update_document(tx, req, clock::now()).await?);
        DocumentDescriptionResult { document_description: description }
    }},
    operation! { "UpdateDocumentDefaultVersion", Admin, (s, caller, req: UpdateDocumentDefaultVersionRequest) -> UpdateDocumentDefaultVersionResult {
        let audit = Audit::new(caller, "UpdateDocumentDefaultVersion", document_arn(s, &req.name));
        let description = write_tx!(s, audit, |tx| documents::set_default_version(tx, req).await?);
        UpdateDocumentDefaultVersionResult { description }
    }},
    operation! { "DeleteDocument", Admin, (s, caller, req: DocumentRef) -> EmptyResponse {
        let audit = Audit::new(caller, "DeleteDocument", document_arn(s, &req.name));
        write_tx!(s, audit, |tx| documents::delete_document(tx, req).await?);
        EmptyResponse::new()
    }},
    operation! { "GetDocument", Viewer, (s, _, req: DocumentRef) -> GetDocumentResult {
        read_tx!(s, |tx| documents::get_document(tx, req).await?)
    }},
    operation! { "DescribeDocument", Viewer, (s, _, req: DocumentRef) -> DescribeDocumentResult {
        DescribeDocumentResult { document: read_tx!(s, |tx| documents::describe_document(tx, req).await?) }
    }},
    operation! { "ListDocuments", Viewer, (s, _, req: ListDocumentsRequest) -> ListDocumentsResult {
        read_tx!(s, |tx| documents::list_documents(tx, &s.config, req).await?)
    }},
    operation! { "ListDocumentVersions", Viewer, (s, _, req: ListDocumentVersionsRequest) -> ListDocumentVersionsResult {
        read_tx!(s, |tx| documents::list_versions(tx, req).await?)
    }},
    operation! { "AddTagsToResource", Admin, (s, caller, req: TagsRequest) -> EmptyResponse {
        let audit = Audit::new(caller, "AddTagsToResource", document_arn(s, &req.resource_id));
        write_tx!(s, audit, |tx| documents::add_tags(tx, req).await?);
        EmptyResponse::new()
    }},
    operation! { "RemoveTagsFromResource", Admin, (s, caller, req: TagsRequest) -> EmptyResponse {
        let audit = Audit::new(caller, "RemoveTagsFromResource", document_arn(s, &req.resource_id));
        write_tx!(s, audit, |tx| documents::remove_tags(tx, req).await?);
        EmptyResponse::new()
    }},
    operation! { "ListTagsForResource", Viewer, (s, _, req: TagsRequest) -> ListTagsForResourceResult {
        ListTagsForResourceResult { tag_list: read_tx!(s, |tx| documents::list_tags(tx, req).await?) }
    }},
    operation! { "DescribeDocumentPermission", Viewer, (s, _, req: DescribeDocumentPermissionRequest) -> DescribeDocumentPermissionResponse {
        read_tx!(s, |tx| documents::describe_permission(tx, &req.name, &req.permission_type).await?)
    }},
    operation! { "StartAutomationExecution", Responder, (s, caller, req: StartAutomationExecutionRequest) -> StartAutomationExecutionResult {
        let audit = Audit::new(caller, "StartAutomationExecution", format!("{}:{}", document_arn(s, &req.document_name), req.document_version.clone().unwrap_or_else(|| "$DEFAULT".into())));
        let start = StartRequest {
            document_name: req.document_name,
            document_version: req.document_version,
            parameters: req.parameters.unwrap_or_default(),
            client_token: req.client_token,
            mode: req.mode,
            executed_by: caller.principal.clone(),
            run_as: RunAs { principal: caller.principal.clone(), role: caller.role },
            incident_arn: None,
        };
        let id = write_tx!(s, audit, |tx| {
            let (id, incident) = automation_start::start_for_request(tx, &s.config, start, clock::now()).await?;
            if let Some(incident) = incident {
                let wall = crate::domain::incidents::wall_incident(tx, incident).await?;
                tx.append_change(&tocsin_api::native::Change::IncidentUpdated(wall)).await?;
            }
            id
        });
        StartAutomationExecutionResult { automation_execution_id: id }
    }},
    operation! { "GetAutomationExecution", Viewer, (s, _, req: ExecutionRef) -> GetAutomationExecutionResult {
        GetAutomationExecutionResult { automation_execution: read_tx!(s, |tx| automation::get(tx, &req.automation_execution_id).await?) }
    }},
    operation! { "DescribeAutomationExecutions", Viewer, (s, _, req: DescribeAutomationExecutionsRequest) -> DescribeAutomationExecutionsResult {
        read_tx!(s, |tx| automation::describe_executions(tx, req).await?)
    }},
    operation! { "DescribeAutomationStepExecutions", Viewer, (s, _, req: DescribeAutomationStepExecutionsRequest) -> DescribeAutomationStepExecutionsResult {
        read_tx!(s, |tx| automation::describe_steps(tx, req).await?)
    }},
    operation! { "SendAutomationSignal", Responder, (s, caller, req: SendAutomationSignalRequest) -> EmptyResponse {
        let audit = Audit::new(caller, "SendAutomationSignal", execution_arn(s, &req.automation_execution_id));
        let rules = s.rules.snapshot();
        let engine = Engine { config: &s.config, rules: &rules };
        write_tx!(s, audit, |tx| automation::signal(tx, engine, caller, req, clock::now()).await?);
        EmptyResponse::new()
    }},
    operation! { "StopAutomationExecution", Responder, (s, caller, req: ExecutionRef) -> EmptyResponse {
        let audit = Audit::new(caller, "StopAutomationExecution", execution_arn(s, &req.automation_execution_id));
        let rules = s.rules.snapshot();
        let engine = Engine { config: &s.config, rules: &rules };
        write_tx!(s, audit, |tx| automation::stop(tx, engine, &req.automation_execution_id, clock::now()).await?);
        EmptyResponse::new()
    }},
];
